/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/idmap.h"
#include "storage/rootfs.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

int idmap_check(const struct idmap_range *v, size_t n, const char *what, struct cu_error **err)
{
        if (n == 0)
                return cu_error_setx(err, EINVAL, "initializing ID mappings: no %s mappings", what);
        if (n > IDMAP_MAX)
                return cu_error_setx(err, E2BIG, "initializing ID mappings: more than %d %s mappings",
                                     IDMAP_MAX, what);
        for (size_t i = 0; i < n; i++) {
                const struct idmap_range *a = &v[i];
                if (a->size == 0 || (uint64_t) a->ctr + a->size > UINT32_MAX + 1ULL ||
                    (uint64_t) a->host + a->size > UINT32_MAX + 1ULL)
                        return cu_error_setx(err, EINVAL,
                                             "initializing ID mappings: invalid %s mapping %u:%u:%u",
                                             what, a->ctr, a->host, a->size);
                for (size_t j = 0; j < i; j++) {
                        const struct idmap_range *b = &v[j];
                        bool ctr = a->ctr < (uint64_t) b->ctr + b->size && b->ctr < (uint64_t) a->ctr + a->size;
                        bool host = a->host < (uint64_t) b->host + b->size &&
                                    b->host < (uint64_t) a->host + a->size;
                        if (ctr || host)
                                return cu_error_setx(err, EINVAL,
                                                     "initializing ID mappings: conflicting %s mappings %u:%u:%u and %u:%u:%u (overlapping %s ids)",
                                                     what, b->ctr, b->host, b->size, a->ctr, a->host,
                                                     a->size, ctr ? "container" : "host");
                }
        }
        return 0;
}

bool idmap_to_host(const struct idmap_range *v, size_t n, uint32_t id, uint32_t *ret)
{
        for (size_t i = 0; i < n; i++)
                if (id >= v[i].ctr && (uint64_t) id < (uint64_t) v[i].ctr + v[i].size) {
                        *ret = v[i].host + (id - v[i].ctr);
                        return true;
                }
        return false;
}

bool idmap_to_ctr(const struct idmap_range *v, size_t n, uint32_t id, uint32_t *ret)
{
        for (size_t i = 0; i < n; i++)
                if (id >= v[i].host && (uint64_t) id < (uint64_t) v[i].host + v[i].size) {
                        *ret = v[i].ctr + (id - v[i].host);
                        return true;
                }
        return false;
}

static int ranges_from_json(json_t *a, struct idmap_range *v, size_t *n, const char *what,
                            struct cu_error **err)
{
        size_t i;
        json_t *m;
        *n = 0;
        json_array_foreach(a, i, m) {
                if (i >= IDMAP_MAX)
                        return cu_error_setx(err, E2BIG, "initializing ID mappings: more than %d %s mappings",
                                             IDMAP_MAX, what);
                json_int_t c = json_integer_value(json_object_get(m, "ContainerID")),
                           h = json_integer_value(json_object_get(m, "HostID")),
                           s = json_integer_value(json_object_get(m, "Size"));
                if (c < 0 || h < 0 || s <= 0 || c > UINT32_MAX || h > UINT32_MAX || s > UINT32_MAX)
                        return cu_error_setx(err, EINVAL, "initializing ID mappings: invalid %s mapping", what);
                v[i] = (struct idmap_range) { (uint32_t) c, (uint32_t) h, (uint32_t) s };
                *n = i + 1;
        }
        return 0;
}

bool idmap_config_has_userns(json_t *c)
{
        return json_array_size(json_object_get(json_object_get(c, "IDMappings"), "UidMap")) > 0;
}

int idmap_from_config(json_t *idm, struct idmap *ret, struct cu_error **err)
{
        memset(ret, 0, sizeof *ret);
        int r = ranges_from_json(json_object_get(idm, "UidMap"), ret->uid, &ret->n_uid, "UID", err);
        if (r >= 0)
                r = ranges_from_json(json_object_get(idm, "GidMap"), ret->gid, &ret->n_gid, "GID", err);
        if (r < 0 || ret->n_uid == 0)
                return r;
        r = idmap_check(ret->uid, ret->n_uid, "UID", err);
        if (r >= 0)
                r = idmap_check(ret->gid, ret->n_gid, "GID", err);
        return r;
}

/* "C-H-N#C-H-N…" */
static int parse_ranges(const char *s, struct idmap_range *v, size_t *n, const char *what,
                        struct cu_error **err)
{
        _cleanup_strv_ char **parts = strv_split(s, "#");
        size_t k = 0;
        for (char **p = parts; p && *p; p++) {
                _cleanup_strv_ char **f = strv_split(*p, "-");
                unsigned a, b, c;
                if (k >= IDMAP_MAX || strv_length(f) != 3 || safe_atou(f[0], &a) < 0 ||
                    safe_atou(f[1], &b) < 0 || safe_atou(f[2], &c) < 0 || c == 0)
                        return cu_error_setx(err, EINVAL, "invalid mount option idmap: malformed %s mapping \"%s\"",
                                             what, *p);
                v[k++] = (struct idmap_range) { a, b, c };
        }
        if (k == 0)
                return cu_error_setx(err, EINVAL, "invalid mount option idmap: empty %s mapping", what);
        *n = k;
        return idmap_check(v, k, what, err);
}

int idmap_parse_option(const char *value, struct idmap *ret, struct cu_error **err)
{
        _cleanup_strv_ char **parts = strv_split(value, ";");
        for (char **p = parts; p && *p; p++) {
                int r;
                if (strncmp(*p, "uids=", 5) == 0)
                        r = parse_ranges(*p + 5, ret->uid, &ret->n_uid, "UID", err);
                else if (strncmp(*p, "gids=", 5) == 0)
                        r = parse_ranges(*p + 5, ret->gid, &ret->n_gid, "GID", err);
                else
                        r = cu_error_setx(err, EINVAL, "invalid mount option idmap: unknown part \"%s\"", *p);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int write_ranges(pid_t pid, const char *file, const struct idmap_range *v, size_t n)
{
        char buf[IDMAP_MAX * 36], path[64];
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(buf + len, sizeof buf - len, "%u %u %u\n", v[i].ctr,
                                         v[i].host, v[i].size);
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, buf, len) != (ssize_t) len)
                return -errno;
        return 0;
}

int idmap_userns_fd(const struct idmap *m, struct cu_error **err)
{
        int ready[2], hold[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "pipe");
        if (pipe2(hold, O_CLOEXEC) < 0) {
                int e = errno;
                close(ready[0]);
                close(ready[1]);
                return cu_error_set(err, e, "pipe");
        }
        pid_t pid = fork();
        if (pid == 0) {
                /* Only async-signal-safe calls: the engine may have threads. */
                close(ready[0]);
                close(hold[1]);
                char c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
                if (write(ready[1], &c, 1) != 1)
                        _exit(1);
                (void) !read(hold[0], &c, 1);
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        int r = 0;
        char c = 'n';
        if (pid < 0)
                r = cu_error_set(err, errno, "fork");
        else if (read(ready[0], &c, 1) != 1 || c != 'y')
                r = cu_error_setx(err, EPERM, "creating a user namespace failed");
        if (r >= 0) {
                r = write_ranges(pid, "uid_map", m->uid, m->n_uid);
                if (r >= 0)
                        r = write_ranges(pid, "gid_map", m->gid, m->n_gid);
                if (r < 0)
                        r = cu_error_set(err, -r, "writing the user namespace's id maps");
        }
        if (r >= 0) {
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
                r = open(path, O_RDONLY | O_CLOEXEC);
                if (r < 0)
                        r = cu_error_set(err, errno, "opening %s", path);
        }
        close(ready[0]);
        close(hold[1]); /* the child exits */
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        return r;
}

int idmap_mount(const char *src, const char *dst, int userns_fd, bool recursive,
                struct cu_error **err)
{
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        _cleanup_close_ int tree = open_tree(AT_FDCWD, src, flags);
        if (tree < 0)
                return cu_error_set(err, errno, "cannot idmap mount \"%s\": cloning the mount", src);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof attr) < 0) {
                int e = errno;
                return cu_error_set(err, e, "cannot idmap mount \"%s\"%s", src,
                                    e == EINVAL ? " (its filesystem does not support idmapped mounts)" : "");
        }
        if (move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return cu_error_set(err, errno, "attaching the idmapped mount of \"%s\" at \"%s\"", src, dst);
        log_debug("idmapped mount of %s at %s", src, dst);
        return 0;
}

void idmap_unmount(const char *dst)
{
        while (umount2(dst, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
                ;
        if (rmdir(dst) < 0 && errno == ENOTDIR)
                (void) unlink(dst);
}

/* ------------------------------------------------------------------ start / cleanup */

static char *idmap_dir(const struct engine *e, const char *id)
{
        char *p = NULL;
        if (asprintf(&p, "%s/idmap/%s", e->runroot, id) < 0)
                return NULL;
        return p;
}

/* Adds search permission for others (the container's root is "others" on the host). */
static void allow_search(const char *path)
{
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH))
                (void) chmod(path, (st.st_mode & 07777) | S_IXOTH);
}


/* Remounts the overlay at merged with idmapped lower layers: the image's files (owned by
 * host ids) appear as the container's, while what the container writes lands in the upper
 * dir with its host ids.  (overlayfs itself cannot be idmapped; its layers can.) */
static int overlay_idmap(const char *merged, char **lowers, const char *upper, const char *work,
                         int ns, const char *dir, struct cu_error **err)
{
        _cleanup_strv_ char **mapped = NULL;
        int r = 0;
        size_t i = 0;
        for (char **l = lowers; *l && r >= 0; l++, i++) {
                _cleanup_free_ char *at = NULL;
                if (asprintf(&at, "%s/l%zu", dir, i) < 0 || strv_extend(&mapped, at) < 0)
                        return -ENOMEM;
                idmap_unmount(at);
                if (mkdir(at, 0700) < 0)
                        r = cu_error_set(err, errno, "creating %s", at);
                else
                        r = idmap_mount(*l, at, ns, false, err);
        }
        /* On top of the storage's mount (the engine holds fds on it): the cleanup
         * takes it off again (the "stacked" mark says so). */
        _cleanup_free_ char *mark = NULL;
        if (asprintf(&mark, "%s/stacked", dir) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = write_file_atomic(mark, merged, strlen(merged), 0600, err);
        if (r >= 0) {
                r = overlay_mount(mapped, upper, work, merged, false, false, err);
                if (r < 0)
                        (void) unlink(mark);
        }
        /* The overlay holds its own references to its layers. */
        (void) lowers;
        for (char **m = mapped; m && *m; m++)
                idmap_unmount(*m);
        return r;
}

static int container_idmap(json_t *c, struct idmap *m, struct cu_error **err)
{
        return idmap_from_config(json_object_get(c, "IDMappings"), m, err);
}

int engine_idmap_spec_root(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        struct idmap m;
        int r = container_idmap(x->c, &m, err);
        if (r < 0 || m.n_uid == 0 || !x->e || !x->write_files || !x->rootfs)
                return r;
        uint32_t uid = 0, gid = 0;
        (void) idmap_to_host(m.uid, m.n_uid, 0, &uid);
        (void) idmap_to_host(m.gid, m.n_gid, 0, &gid);

        _cleanup_free_ char *dir = idmap_dir(x->e, x->id), *root = NULL, *top = NULL;
        if (!dir || asprintf(&root, "%s/root", dir) < 0 || asprintf(&top, "%s/idmap", x->e->runroot) < 0)
                return -ENOMEM;
        engine_idmap_cleanup(x->e, x->id); /* what a previous run (restart, crash) left */
        if (mkdir(top, 0711) < 0 && errno != EEXIST)
                return cu_error_set(err, errno, "creating %s", top);
        if (mkdir(dir, 0711) < 0 && errno != EEXIST)
                return cu_error_set(err, errno, "creating %s", dir);
        if (mkdir(root, 0755) < 0)
                return cu_error_set(err, errno, "creating %s", root);
        _cleanup_close_ int ns = idmap_userns_fd(&m, err);
        if (ns < 0) {
                (void) rmdir(root);
                return ns;
        }
        _cleanup_strv_ char **lowers = NULL;
        _cleanup_free_ char *upper = NULL, *work = NULL;
        /* The storage's own overlay (not a --rootfs directory) is mounted again with
         * idmapped lower layers; anything else is idmapped as a whole. */
        _cleanup_free_ char *own = x->e->store ? rootfs_path(x->e->store, x->id) : NULL;
        if (own && strcmp(own, x->rootfs) == 0 &&
            rootfs_overlay_dirs(x->e->store, x->id, &lowers, &upper, &work, NULL) >= 0) {
                (void) rmdir(root);
                struct stat st;
                /* The root directory comes from the upper dir: the container's root owns it. */
                if (upper && stat(upper, &st) == 0 && st.st_uid == 0 && st.st_gid == 0 &&
                    chown(upper, uid, gid) < 0)
                        return cu_error_set(err, errno, "chown %s", upper);
                r = overlay_idmap(x->rootfs, lowers, upper, work, ns, dir, err);
        } else {
                r = idmap_mount(x->rootfs, root, ns, false, err);
                if (r >= 0) {
                        json_t *rootj = json_object_get(spec, "root");
                        if (rootj)
                                json_object_set_new(rootj, "path", json_string(root));
                } else {
                        (void) rmdir(root);
                }
        }
        if (r < 0)
                return cu_error_prefix(err, r, "idmapping the root filesystem");

        /* The runtime (ours or runc) works as the container's root from here on. */
        allow_search(x->e->runroot);
        allow_search(x->e->root);
        _cleanup_free_ char *cdir = NULL, *cs = NULL;
        if (asprintf(&cs, "%s/containers", x->e->root) >= 0)
                allow_search(cs);
        if (asprintf(&cdir, "%s/containers/%s", x->e->root, x->id) >= 0)
                allow_search(cdir);
        if (x->bundle && chown(x->bundle, uid, gid) < 0)
                return cu_error_set(err, errno, "cannot chown run directory %s", x->bundle);
        return 0;
}

static bool has_prefix_dir(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* The "idmap" / "idmap=…" option of a spec mount (removed from its options), or NULL. */
static char *take_idmap_option(json_t *mnt)
{
        json_t *opts = json_object_get(mnt, "options");
        for (size_t k = 0; k < json_array_size(opts); k++) {
                const char *o = json_string_value(json_array_get(opts, k));
                if (o && (strcmp(o, "idmap") == 0 || strncmp(o, "idmap=", 6) == 0)) {
                        char *ret = strdup(o);
                        json_array_remove(opts, k);
                        return ret;
                }
        }
        return NULL;
}

static bool json_has_opt(json_t *mnt, const char *opt)
{
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(mnt, "options"), k, v)
                if (streq_ptr(json_string_value(v), opt))
                        return true;
        return false;
}

static int idmap_one_mount(json_t *mnt, const char *opt, const struct idmap *cm, const char *dir,
                           size_t i, struct cu_error **err)
{
        const char *src = json_string_value(json_object_get(mnt, "source"));
        const char *dst = json_string_value(json_object_get(mnt, "destination"));
        struct idmap m = *cm;
        if (opt[5] == '=') {
                int r = idmap_parse_option(opt + 6, &m, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "%s", strempty(dst));
        }
        if (m.n_uid == 0)
                return cu_error_setx(err, EINVAL, "%s: idmapped mounts need a user namespace with mappings (--uidmap or --userns auto)",
                                     strempty(dst));
        if (m.n_gid == 0) {
                memcpy(m.gid, m.uid, sizeof m.gid);
                m.n_gid = m.n_uid;
        }
        struct stat st;
        if (!src || stat(src, &st) < 0)
                return cu_error_set(err, errno, "%s: cannot idmap mount \"%s\"", strempty(dst), strempty(src));
        _cleanup_free_ char *at = NULL;
        if (asprintf(&at, "%s/m%zu", dir, i) < 0)
                return -ENOMEM;
        idmap_unmount(at);
        if (S_ISDIR(st.st_mode) ? mkdir(at, 0755) < 0 : mknod(at, S_IFREG | 0644, 0) < 0)
                return cu_error_set(err, errno, "creating %s", at);
        _cleanup_close_ int ns = idmap_userns_fd(&m, err);
        int r = ns;
        if (ns >= 0)
                r = idmap_mount(src, at, ns, !json_has_opt(mnt, "bind"), err);
        if (r < 0) {
                idmap_unmount(at);
                return cu_error_prefix(err, r, "%s", strempty(dst));
        }
        json_object_set_new(mnt, "source", json_string(at));
        return 0;
}

int engine_idmap_spec_mounts(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        struct idmap m;
        int r = container_idmap(x->c, &m, err);
        if (r < 0)
                return r;
        json_t *mounts = json_object_get(spec, "mounts");
        _cleanup_free_ char *dir = x->e ? idmap_dir(x->e, x->id) : NULL;
        _cleanup_free_ char *volroot = NULL;
        if (x->e && asprintf(&volroot, "%s", x->e->volume_path ? x->e->volume_path : "") >= 0 &&
            !*volroot) {
                free(volroot);
                volroot = NULL;
                if (asprintf(&volroot, "%s/volumes", x->e->root) < 0)
                        volroot = NULL;
        }
        uint32_t uid = 0, gid = 0;
        if (m.n_uid) {
                (void) idmap_to_host(m.uid, m.n_uid, 0, &uid);
                (void) idmap_to_host(m.gid, m.n_gid, 0, &gid);
        }
        for (size_t i = 0; i < json_array_size(mounts); i++) {
                json_t *mnt = json_array_get(mounts, i);
                if (m.n_uid && streq_ptr(json_string_value(json_object_get(mnt, "type")), "sysfs")) {
                        /* sysfs belongs to the network namespace's owner (the engine made
                         * it, outside the user namespace): podman binds the host's /sys. */
                        json_object_set_new(mnt, "type", json_string("bind"));
                        json_object_set_new(mnt, "source", json_string("/sys"));
                        json_object_set_new(mnt, "options", json_pack("[s,s,s,s,s,s]", "rbind", "rprivate",
                                                                      "nosuid", "noexec", "nodev", "ro"));
                        continue;
                }
                _cleanup_free_ char *opt = take_idmap_option(mnt);
                const char *src = json_string_value(json_object_get(mnt, "source"));
                if (opt) {
                        if (!x->write_files || !dir)
                                continue;
                        if (mkdir(dir, 0711) < 0 && errno != EEXIST) {
                                _cleanup_free_ char *top = NULL;
                                if (asprintf(&top, "%s/idmap", x->e->runroot) < 0)
                                        return -ENOMEM;
                                (void) mkdir(top, 0711);
                                if (mkdir(dir, 0711) < 0 && errno != EEXIST)
                                        return cu_error_set(err, errno, "creating %s", dir);
                        }
                        r = idmap_one_mount(mnt, opt, &m, dir, i, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!m.n_uid || !x->write_files || !src || !streq_ptr(json_string_value(json_object_get(mnt, "type")), "bind"))
                        continue;
                struct stat st;
                bool engine_file = x->bundle && has_prefix_dir(src, x->bundle);
                bool volume = volroot && has_prefix_dir(src, volroot);
                if ((engine_file || volume) && lstat(src, &st) == 0 && st.st_uid == 0 && st.st_gid == 0) {
                        /* podman: the engine's files and a volume's top directory belong to
                         * the container's root. */
                        if (lchown(src, uid, gid) < 0)
                                log_debug("chown %s: %m", src);
                        if (volume) {
                                _cleanup_free_ char *parent = strdup(src);
                                char *slash = parent ? strrchr(parent, '/') : NULL;
                                if (slash) {
                                        *slash = '\0';
                                        allow_search(parent);
                                        allow_search(volroot);
                                }
                        }
                }
        }
        return 0;
}

void engine_idmap_cleanup(struct engine *e, const char *id)
{
        _cleanup_free_ char *dir = idmap_dir(e, id);
        if (!dir)
                return;
        _cleanup_free_ char *mark = NULL, *merged = NULL;
        if (asprintf(&mark, "%s/stacked", dir) >= 0 && read_full_file(mark, &merged, NULL, NULL) >= 0) {
                /* Lazily: the engine may hold an fd on it (the next start's own rootfd). */
                if (umount2(merged, UMOUNT_NOFOLLOW | MNT_DETACH) < 0 && errno != EINVAL)
                        log_debug("unmounting the idmapped root %s: %m", merged);
                (void) unlink(mark);
        }
        DIR *d = opendir(dir);
        if (d) {
                for (struct dirent *de; (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        _cleanup_free_ char *p = NULL;
                        if (asprintf(&p, "%s/%s", dir, de->d_name) >= 0)
                                idmap_unmount(p);
                }
                closedir(d);
        }
        (void) rmdir(dir);
}

/* ------------------------------------------------------------------ cp, commit */

bool engine_idmap_owner_to_host(json_t *config, uint32_t *uid, uint32_t *gid)
{
        struct idmap m;
        if (container_idmap(config, &m, NULL) < 0 || m.n_uid == 0)
                return false;
        uint32_t ru = 0, rg = 0;
        (void) idmap_to_host(m.uid, m.n_uid, 0, &ru);
        (void) idmap_to_host(m.gid, m.n_gid, 0, &rg);
        if (!idmap_to_host(m.uid, m.n_uid, *uid, uid))
                *uid = ru;
        if (!idmap_to_host(m.gid, m.n_gid, *gid, gid))
                *gid = rg;
        return true;
}

int engine_idmap_open_ctr_view(json_t *config, int dirfd, int *ret_fd, struct cu_error **err)
{
        struct idmap m, inv = { 0 };
        *ret_fd = -1;
        int r = container_idmap(config, &m, err);
        if (r < 0 || m.n_uid == 0)
                return r;
        /* The inverse mapping: an on-disk host id appears as the container's id. */
        for (size_t i = 0; i < m.n_uid; i++)
                inv.uid[i] = (struct idmap_range) { m.uid[i].host, m.uid[i].ctr, m.uid[i].size };
        for (size_t i = 0; i < m.n_gid; i++)
                inv.gid[i] = (struct idmap_range) { m.gid[i].host, m.gid[i].ctr, m.gid[i].size };
        inv.n_uid = m.n_uid;
        inv.n_gid = m.n_gid;
        _cleanup_close_ int ns = idmap_userns_fd(&inv, err);
        if (ns < 0)
                return ns;
        _cleanup_close_ int tree = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0)
                return cu_error_set(err, errno, "cloning the container's changes");
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) ns };
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
                return cu_error_set(err, errno, "idmapping the container's changes");
        int fd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening the container's changes");
        *ret_fd = fd;
        return 0;
}

uint32_t idmap_proc_to_ctr(pid_t pid, bool gid, uint32_t id)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, gid ? "gid_map" : "uid_map");
        _cleanup_free_ char *text = NULL;
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return id;
        struct idmap_range v[IDMAP_MAX];
        size_t n = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < IDMAP_MAX;
             l = strtok_r(NULL, "\n", &save))
                if (sscanf(l, "%u %u %u", &v[n].ctr, &v[n].host, &v[n].size) == 3)
                        n++;
        uint32_t ret;
        return idmap_to_ctr(v, n, id, &ret) ? ret : 65534;
}

int idmap_carve(struct idmap_range base, const struct idmap_range *forced, size_t n_forced,
                struct idmap_range *out, size_t max)
{
        /* pieces of base still free, as container-side [start, end) */
        uint64_t start[IDMAP_MAX + 1], end[IDMAP_MAX + 1];
        size_t n = 1;
        start[0] = base.ctr;
        end[0] = (uint64_t) base.ctr + base.size;
        for (size_t f = 0; f < n_forced; f++) {
                uint64_t fs = forced[f].ctr, fe = fs + forced[f].size;
                for (size_t i = 0; i < n; i++) {
                        if (fe <= start[i] || end[i] <= fs)
                                continue;
                        if (fs > start[i] && fe < end[i]) { /* split in two */
                                if (n > IDMAP_MAX)
                                        return -E2BIG;
                                start[n] = fe;
                                end[n] = end[i];
                                n++;
                                end[i] = fs;
                        } else if (fs <= start[i]) {
                                start[i] = fe < end[i] ? fe : end[i];
                        } else {
                                end[i] = fs;
                        }
                }
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (start[i] >= end[i])
                        continue;
                if (k >= max)
                        return -E2BIG;
                out[k++] = (struct idmap_range) { (uint32_t) start[i],
                                                  (uint32_t) (base.host + (start[i] - base.ctr)),
                                                  (uint32_t) (end[i] - start[i]) };
        }
        for (size_t f = 0; f < n_forced; f++) {
                if (k >= max)
                        return -E2BIG;
                out[k++] = forced[f];
        }
        return (int) k;
}
