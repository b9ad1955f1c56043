/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's cgroup mount: on a v1 or hybrid host a tmpfs with one directory per
 * hierarchy (a cgroup mount with a cgroup namespace, else a bind of the container's own
 * directory), on a unified host cgroup2. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "rootfs-internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/path.h"

struct cg_hier {
        char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
        char *own; /* the init's cgroup in it (from /proc/self/cgroup) */
        char *mountpoint; /* where the host has it */
        char *root; /* mount root of that mount */
};

static void cg_hier_done(struct cg_hier *h)
{
        free(h->controllers);
        free(h->own);
        free(h->mountpoint);
        free(h->root);
        *h = (struct cg_hier){ 0 };
}

static void cg_hiers_free(struct cg_hier *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                cg_hier_done(&v[i]);
        free(v);
}

struct cg_list {
        struct cg_hier *v;
        size_t n;
};

static void cg_list_done(struct cg_list *l)
{
        cg_hiers_free(l->v, l->n);
        *l = (struct cg_list){ 0 };
}

/* True when every comma-separated token of want is an option in super. */
static bool super_has_all(const char *super, const char *want)
{
        for (const char *w = want; *w;) {
                size_t n = strcspn(w, ",");
                bool found = false;
                for (const char *s = super; *s;) {
                        size_t m = strcspn(s, ",");
                        if (m == n && strncmp(s, w, n) == 0) {
                                found = true;
                                break;
                        }
                        s += m + (s[m] == ',');
                }
                if (!found)
                        return false;
                w += n + (w[n] == ',');
        }
        return true;
}

static int find_hier_cb(const struct mountinfo *mi, void *userdata)
{
        struct cg_hier *h = userdata;
        bool v2 = !*h->controllers;
        if (strcmp(mi->fstype, v2 ? "cgroup2" : "cgroup") != 0)
                return 0;
        if (!v2 && !super_has_all(mi->super, h->controllers))
                return 0;
        h->mountpoint = strdup(mi->mountpoint);
        h->root = strdup(mi->root);
        return h->mountpoint && h->root ? 1 : -ENOMEM;
}

/* The hierarchies the init is in (the v1 ones, or only the v2 one), with
 * where the host mounts them; hierarchies the host does not mount are left
 * out. */
static int cgroup_hierarchies(bool v2, struct cg_list *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL);
        if (r < 0)
                return r;
        _cleanup_(cg_list_done) struct cg_list l = { 0 };
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = *c2 = '\0';
                bool is_v2 = strcmp(line, "0") == 0 && !c1[1];
                if (is_v2 != v2)
                        continue;
                _cleanup_(cg_hier_done) struct cg_hier h = {
                        .controllers = strdup(c1 + 1),
                        .own = strdup(c2 + 1),
                };
                if (!h.controllers || !h.own)
                        return -ENOMEM;
                r = mountinfo_foreach(NULL, find_hier_cb, &h);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                struct cg_hier *nv = reallocarray(l.v, l.n + 1, sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                l.v = nv;
                l.v[l.n++] = h;
                h = (struct cg_hier){ 0 };
        }
        *ret = l;
        l = (struct cg_list){ 0 };
        return 0;
}

/* The host directory of the container's cgroup in hierarchy h: cgroup_path
 * if it exists there, else the init's own cgroup.  NULL when neither does. */
static char *cgroup_source(const struct cg_hier *h, const char *cgroup_path)
{
        const char *cands[2] = { cgroup_path, h->own };
        for (size_t i = 0; i < ELEMENTSOF(cands); i++) {
                const char *p = cands[i];
                if (!p)
                        continue;
                if (strcmp(h->root, "/") != 0) {
                        if (!rootfs_path_has_prefix(p, h->root))
                                continue;
                        p += strlen(h->root);
                }
                char *full = NULL;
                if (asprintf(&full, "%s%s%s", h->mountpoint, *p == '/' || !*p ? "" : "/", p) < 0)
                        return NULL;
                struct stat st;
                if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
                        return full;
                free(full);
        }
        return NULL;
}

/* One v1 hierarchy under the cgroup tmpfs: a cgroup mount with a cgroup
 * namespace, else a bind of the container's own directory. */
static int mount_cgroup_v1_one(const struct mount_ctx *c, const struct oci_mount *m,
                               const struct mount_opts *o, const struct cg_hier *h, int topfd,
                               struct cu_error **err)
{
        const char *name = strrchr(h->mountpoint, '/');
        name = name ? name + 1 : h->mountpoint;
        if (!*name)
                return 0;
        _cleanup_free_ char *dest = NULL;
        if (asprintf(&dest, "%s/%s", m->destination, name) < 0)
                return -ENOMEM;
        char buf[32];
        int r;

        _cleanup_free_ char *source = NULL;
        if (!c->has_cgroupns) {
                source = cgroup_source(h, c->cgroup_path);
                if (!source) {
                        log_debug("cgroup hierarchy %s: no directory for the container, skipping",
                                  h->controllers);
                        return 0;
                }
        }
        _cleanup_close_ int dst = mkdir_p_in_root(c->rootfd, dest, 0755);
        if (dst < 0)
                return cu_error_set(err, dst, "creating mount point \"%s\"", dest);

        if (c->has_cgroupns) {
                /* The unified hierarchy of a hybrid host has no controllers. */
                const char *type = *h->controllers ? "cgroup" : "cgroup2";
                unsigned long flags = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
                if (mount(type, fd_path(dst, buf), type, flags,
                          *h->controllers ? h->controllers : NULL) < 0)
                        return rootfs_mount_error(err, errno, type, type, dest);
        } else {
                _cleanup_close_ int src = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
                char sbuf[32];
                if (src < 0)
                        return rootfs_mount_error(err, errno, source, NULL, dest);
                if (mount(fd_path(src, sbuf), fd_path(dst, buf), MOUNT_NO_TYPE, MS_BIND | MS_REC,
                          NULL) < 0)
                        return rootfs_mount_error(err, errno, source, NULL, dest);
        }
        _cleanup_close_ int mnt = -EBADF;
        r = rootfs_reopen_mounted(c, dest, dst, &mnt, err);
        if (r < 0)
                return r;
        if (!c->has_cgroupns) {
                r = rootfs_remount_bind(mnt, dest, o->flags, o->cleared, err);
                if (r < 0)
                        return r;
        }
        r = rootfs_apply_propagation(mnt, dest, o, err);
        if (r < 0)
                return r;

        /* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct". */
        if (strchr(name, ',')) {
                _cleanup_free_ char *copy = strdup(name);
                if (!copy)
                        return -ENOMEM;
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (symlinkat(name, topfd, t) < 0 && errno != EEXIST)
                                return cu_error_set(err, errno, "symlinking %s/%s to %s",
                                                    m->destination, t, name);
        }
        return 0;
}

/* v1 or hybrid host: a tmpfs with one directory per hierarchy (and, on a
 * hybrid host, the unified one under its own name, as crun does). */
static int mount_cgroup_v1(const struct mount_ctx *c, const struct oci_mount *m,
                           const struct mount_opts *o, struct cu_error **err)
{
        const char *dest = m->destination;
        _cleanup_(cg_list_done) struct cg_list l = { 0 };
        char buf[32];
        struct stat st;
        int r;

        r = cgroup_hierarchies(false, &l);
        if (r < 0)
                return cu_error_set(err, r, "listing cgroup hierarchies");
        _cleanup_(cg_list_done) struct cg_list unified = { 0 };
        if (cgroup_hierarchies(true, &unified) == 0 && unified.n > 0) {
                struct cg_hier *nv = reallocarray(l.v, l.n + 1, sizeof(*nv));
                if (!nv)
                        return cu_error_set(err, ENOMEM, "listing cgroup hierarchies");
                l.v = nv;
                l.v[l.n++] = unified.v[0];
                unified.v[0] = (struct cg_hier){ 0 };
        }

        _cleanup_close_ int dst = -EBADF;
        r = rootfs_open_dest_dir(c, dest, false, "cgroup", &dst, &st, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *data = NULL;
        r = rootfs_mount_data(c, true, "mode=755", NULL, &data);
        if (r < 0)
                return r;
        const unsigned long tmpfs_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (mount("tmpfs", fd_path(dst, buf), "tmpfs", tmpfs_flags, data) < 0)
                return rootfs_mount_error(err, errno, "tmpfs", "tmpfs", dest);
        _cleanup_close_ int top = -EBADF;
        r = rootfs_reopen_mounted(c, dest, dst, &top, err);
        if (r < 0)
                return r;
        _cleanup_close_ int topdir = open_in_root(c->rootfd, dest, O_RDONLY | O_DIRECTORY, 0);
        if (topdir < 0)
                return cu_error_set(err, topdir, "opening \"%s\"", dest);

        for (size_t i = 0; i < l.n; i++) {
                r = mount_cgroup_v1_one(c, m, o, &l.v[i], topdir, err);
                if (r < 0)
                        return r;
        }

        if (o->flags & MS_RDONLY) {
                r = rootfs_remount_bind(top, dest, tmpfs_flags | MS_RDONLY, 0, err);
                if (r < 0)
                        return r;
        }
        return rootfs_apply_propagation(top, dest, o, err);
}

/* cgroup2: a fresh mount; when that is refused (a userns without a cgroup
 * namespace), a bind of the container's own directory in the host's. */
int rootfs_mount_cgroup2(const struct mount_ctx *c, const struct oci_mount *m,
                         const struct mount_opts *o, struct cu_error **err)
{
        int r = rootfs_mount_fs(c, m, o, MOUNT_KIND_CGROUP2, "cgroup2", err);
        if (r != -EPERM && r != -EBUSY)
                return r;
        _cleanup_(cg_list_done) struct cg_list l = { 0 };
        if (cgroup_hierarchies(true, &l) < 0 || l.n == 0)
                return r;
        _cleanup_free_ char *source = cgroup_source(&l.v[0], c->cgroup_path);
        if (!source)
                return r;
        cu_error_clear(err);
        struct mount_opts b = *o;
        b.flags |= MS_BIND | MS_REC;
        return rootfs_mount_bind(c, m, &b, source, err);
}

int rootfs_mount_cgroup(const struct mount_ctx *c, const struct oci_mount *m,
                        const struct mount_opts *o, struct cu_error **err)
{
        struct statfs sfs;
        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                return rootfs_mount_cgroup2(c, m, o, err);
        return mount_cgroup_v1(c, m, o, err);
}

