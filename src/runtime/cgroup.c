/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup manager: hierarchy detection, the plan engine, dispatch (path rules: cgroup-path.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/parse.h"
#include "util/strv.h"

#define DEFAULT_ROOT "/sys/fs/cgroup"

/* ---- hierarchies ---- */

void cg_hierarchies_free(struct cg_hierarchy *h, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(h[i].dir);
                strv_free(h[i].controllers);
        }
        free(h);
}

static bool is_direct_child(const char *root, const char *mnt)
{
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
                n--;
        if (strncmp(root, mnt, n) != 0 || mnt[n] != '/' || !mnt[n + 1])
                return false;
        return !strchr(mnt + n + 1, '/');
}

static int hierarchy_add(struct cg_hierarchy **h, size_t *n, const char *dir, char **ctrls,
                         bool unified)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*h)[i].dir, dir) == 0) {
                        /* A later mount on the same point hides the earlier one. */
                        strv_free((*h)[i].controllers);
                        (*h)[i].controllers = ctrls;
                        (*h)[i].unified = unified;
                        return 0;
                }
        struct cg_hierarchy *nh = realloc(*h, (*n + 1) * sizeof(**h));
        if (!nh) {
                strv_free(ctrls);
                return -ENOMEM;
        }
        *h = nh;
        nh[*n] = (struct cg_hierarchy){ .dir = strdup(dir), .controllers = ctrls,
                                        .unified = unified };
        if (!nh[*n].dir) {
                strv_free(ctrls);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static int split_controllers(const char *opts, char *const *known, char ***ret)
{
        _cleanup_strv_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        const char *p = opts;
        while (*p) {
                size_t len = strcspn(p, ",");
                _cleanup_free_ char *o = strndup(p, len);
                if (!o)
                        return -ENOMEM;
                bool keep = strncmp(o, "name=", 5) == 0 || (known && strv_contains(known, o));
                if (keep && !strv_contains(l, o) && strv_push(&l, TAKE_PTR(o)) < 0)
                        return -ENOMEM;
                p += len;
                if (*p == ',')
                        p++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

struct parse_ctx {
        const char *root;
        char *const *known;
        struct cg_hierarchy *h;
        size_t n;
};

static int parse_cb(const struct mountinfo *mi, void *userdata)
{
        struct parse_ctx *p = userdata;
        if (!is_direct_child(p->root, mi->mountpoint))
                return 0;
        if (strcmp(mi->fstype, "cgroup2") == 0) {
                char **none = calloc(1, sizeof(char *));
                return none ? hierarchy_add(&p->h, &p->n, mi->mountpoint, none, true) : -ENOMEM;
        }
        if (strcmp(mi->fstype, "cgroup") != 0)
                return 0;
        char **ctrls = NULL;
        int r = split_controllers(mi->super, p->known, &ctrls);
        return r < 0 ? r : hierarchy_add(&p->h, &p->n, mi->mountpoint, ctrls, false);
}

int cg_parse_mountinfo(const char *mountinfo, const char *root, char *const *known,
                       struct cg_hierarchy **ret, size_t *ret_n, struct cu_error **err)
{
        _cleanup_free_ char *text = strdup(mountinfo);
        struct parse_ctx p = { .root = root, .known = known };
        int r = text ? mountinfo_foreach_text(text, parse_cb, &p) : -ENOMEM;
        if (r < 0) {
                cg_hierarchies_free(p.h, p.n);
                return cu_error_set(err, -r, "parsing mountinfo");
        }
        *ret = p.h;
        *ret_n = p.n;
        return 0;
}

/* Fake v1 tree: every subdirectory is a hierarchy named by its controllers. */
static int scan_fake_hierarchies(const char *root, struct cg_hierarchy **ret, size_t *ret_n,
                                 struct cu_error **err)
{
        _cleanup_closedir_ DIR *d = opendir(root);
        if (!d)
                return cu_error_set(err, errno, "opening cgroup root %s", root);
        struct cg_hierarchy *h = NULL;
        size_t n = 0;
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *dir = cg_path_join(root, de->d_name);
                char **ctrls = NULL;
                bool unified = strcmp(de->d_name, "unified") == 0;
                if (!dir) {
                        r = -ENOMEM;
                } else if (unified) {
                        ctrls = calloc(1, sizeof(char *));
                        r = ctrls ? 0 : -ENOMEM;
                } else if (strcmp(de->d_name, "systemd") == 0) {
                        r = strv_extend(&ctrls, "name=systemd");
                } else {
                        /* "cpu,cpuacct": every word is a controller. */
                        for (const char *p = de->d_name; r >= 0 && *p;) {
                                size_t len = strcspn(p, ",");
                                char *c = strndup(p, len);
                                r = c ? strv_push(&ctrls, c) : -ENOMEM;
                                p += len + (p[len] == ',');
                        }
                }
                if (r >= 0)
                        r = hierarchy_add(&h, &n, dir, ctrls, unified);
                else
                        strv_free(ctrls);
        }
        if (r < 0) {
                cg_hierarchies_free(h, n);
                return cu_error_set(err, -r, "scanning %s", root);
        }
        *ret = h;
        *ret_n = n;
        return 0;
}

/* Controller names from /proc/cgroups. */
static char **known_controllers(void)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file_at(AT_FDCWD, "/proc/cgroups", &text, NULL) < 0)
                return NULL;
        char **l = NULL;
        for (char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                if (*p != '#' && len > 0) {
                        size_t w = strcspn(p, " \t\n");
                        char *c = strndup(p, w);
                        if (!c || strv_push(&l, c) < 0)
                                return strv_free(l);
                }
                p += len + (p[len] == '\n');
        }
        return l;
}

static int detect_v1(struct cgroup *cg, struct cu_error **err)
{
        _cleanup_free_ char *mi = NULL;
        _cleanup_strv_ char **known = known_controllers();
        int r;

        if (read_full_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL) >= 0) {
                r = cg_parse_mountinfo(mi, cg->root, known, &cg->hier, &cg->n_hier, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < cg->n_hier; i++)
                if (!cg->hier[i].unified)
                        return 0;
        /* Nothing mounted under root: a test tree. */
        cg_hierarchies_free(cg->hier, cg->n_hier);
        cg->hier = NULL;
        cg->n_hier = 0;
        cg->fake = true;
        return scan_fake_hierarchies(cg->root, &cg->hier, &cg->n_hier, err);
}

const struct cg_hierarchy *cg_find_hierarchy(const struct cgroup *cg, const char *controller)
{
        for (size_t i = 0; i < cg->n_hier; i++) {
                if (!controller || !*controller) {
                        if (cg->hier[i].unified)
                                return &cg->hier[i];
                } else if (strv_contains(cg->hier[i].controllers, controller)) {
                        return &cg->hier[i];
                }
        }
        return NULL;
}

static bool is_cgroup2(const char *path)
{
        struct statfs sfs;
        return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_new(const char *root, int version, const char *cgroups_path, const char *id,
               bool systemd_cgroup, struct cgroup **ret, struct cu_error **err)
{
        _cleanup_(cgroup_freep) struct cgroup *cg = calloc(1, sizeof(*cg));
        int r;

        if (!cg)
                return cu_error_set(err, ENOMEM, "calloc");
        if (version != 0 && version != 1 && version != 2)
                return cu_error_setx(err, EINVAL, "invalid cgroup version %d", version);
        cg->root = cg_path_join(root ? root : DEFAULT_ROOT, "");
        if (!cg->root)
                return cu_error_set(err, ENOMEM, "strdup");
        if (access(cg->root, F_OK) < 0)
                return cu_error_set(err, errno, "cgroup root %s", cg->root);

        if (version == 0) {
                if (is_cgroup2(cg->root)) {
                        version = 2;
                } else {
                        r = detect_v1(cg, err);
                        if (r < 0)
                                return r;
                        version = 1;
                        if (cg->fake) {
                                _cleanup_free_ char *c = cg_path_join(cg->root,
                                                                      "cgroup.controllers");
                                if (c && access(c, F_OK) == 0) {
                                        cg_hierarchies_free(cg->hier, cg->n_hier);
                                        cg->hier = NULL;
                                        cg->n_hier = 0;
                                        version = 2;
                                }
                        }
                }
        } else if (version == 1) {
                if (is_cgroup2(cg->root))
                        return cu_error_setx(err, EINVAL, "%s is a cgroup v2 tree", cg->root);
                r = detect_v1(cg, err);
                if (r < 0)
                        return r;
        }
        if (version == 2)
                cg->fake = !is_cgroup2(cg->root);
        cg->version = version;
        cg->ops = version == 2 ? &cg_v2_ops : &cg_v1_ops;

        _cleanup_free_ char *self = NULL;
        if (cgroups_path && *cgroups_path && cgroups_path[0] != '/' &&
            !cg_looks_like_systemd_path(cgroups_path) && !systemd_cgroup)
                (void) read_full_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL);
        r = cg_resolve_path(cgroups_path, id, systemd_cgroup, version, self, &cg->path, err);
        if (r < 0)
                return r;
        log_debug("cgroup v%d%s at %s%s", version, cg->fake ? " (fake)" : "", cg->root,
                  cg->path);
        *ret = TAKE_PTR(cg);
        return 0;
}

struct cgroup *cgroup_free(struct cgroup *cg)
{
        if (!cg)
                return NULL;
        free(cg->root);
        free(cg->path);
        cg_hierarchies_free(cg->hier, cg->n_hier);
        free(cg);
        return NULL;
}

int cgroup_controller_path(const struct cgroup *cg, const char *controller, char **ret,
                           struct cu_error **err)
{
        const char *base = cg->root;
        if (cg->version == 1) {
                const struct cg_hierarchy *h = cg_find_hierarchy(cg, controller);
                if (!h)
                        return cu_error_setx(err, ENOENT, "cgroup controller %s is not mounted",
                                             controller && *controller ? controller
                                                                       : "unified");
                base = h->dir;
        }
        char *p = cg_path_join(base, cg->path);
        if (!p)
                return cu_error_set(err, ENOMEM, "asprintf");
        *ret = p;
        return 0;
}

/* ---- default devices ---- */

#define DEV(t, maj, min, acc)                                                                      \
        { .allow = true, .type = t, .major = maj, .minor = min, .access = (char *) (acc) }
const struct oci_device_cgroup cg_default_devices[] = {
        DEV('c', -1, -1, "m"), /* mknod of any char device */
        DEV('b', -1, -1, "m"), /* mknod of any block device */
        DEV('c', 1, 3, "rwm"), /* null */
        DEV('c', 1, 5, "rwm"), /* zero */
        DEV('c', 1, 7, "rwm"), /* full */
        DEV('c', 1, 8, "rwm"), /* random */
        DEV('c', 1, 9, "rwm"), /* urandom */
        DEV('c', 5, 0, "rwm"), /* tty */
        DEV('c', 5, 1, "rwm"), /* console */
        DEV('c', 5, 2, "rwm"), /* ptmx */
        DEV('c', 136, -1, "rwm"), /* pts/N */
};
#undef DEV
const size_t cg_n_default_devices = ELEMENTSOF(cg_default_devices);

char *cg_device_rule_string(const struct oci_device_cgroup *d)
{
        char maj[24] = "*", min[24] = "*";
        char *s = NULL;
        if (d->type == 'a' || d->type == 0)
                return strdup("a");
        if (d->major >= 0)
                snprintf(maj, sizeof maj, "%lld", (long long) d->major);
        if (d->minor >= 0)
                snprintf(min, sizeof min, "%lld", (long long) d->minor);
        if (asprintf(&s, "%c %s:%s %s", d->type, maj, min,
                     d->access && *d->access ? d->access : "rwm") < 0)
                return NULL;
        return s;
}

/* ---- plans ---- */

void cg_current_init(struct cg_current *c)
{
        *c = (struct cg_current){ .memory_limit = -1, .cpu_quota = -1, .cpu_period = 100000 };
}

int cg_plan_add(struct cg_plan *p, const char *controller, const char *dir, const char *file,
                const char *alt_file, unsigned flags, const char *fmt, ...)
{
        struct cg_write w = { .flags = flags };
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&w.value, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        w.controller = controller ? strdup(controller) : NULL;
        w.dir = dir ? strdup(dir) : NULL;
        w.file = strdup(file);
        w.alt_file = alt_file ? strdup(alt_file) : NULL;
        struct cg_write *n = realloc(p->writes, (p->n_writes + 1) * sizeof(*n));
        if (!n || !w.file || (controller && !w.controller) || (dir && !w.dir) ||
            (alt_file && !w.alt_file)) {
                free(w.controller);
                free(w.dir);
                free(w.file);
                free(w.alt_file);
                free(w.value);
                if (n)
                        p->writes = n;
                return -ENOMEM;
        }
        p->writes = n;
        n[p->n_writes++] = w;
        return 0;
}

void cg_plan_done(struct cg_plan *p)
{
        for (size_t i = 0; i < p->n_writes; i++) {
                free(p->writes[i].controller);
                free(p->writes[i].dir);
                free(p->writes[i].file);
                free(p->writes[i].alt_file);
                free(p->writes[i].value);
        }
        free(p->writes);
        free(p->dev_prog);
        *p = (struct cg_plan){ 0 };
}

static bool file_exists(const char *dir, const char *file)
{
        _cleanup_free_ char *p = cg_path_join(dir, file);
        return p && access(p, F_OK) == 0;
}

int cg_plan_apply(struct cgroup *cg, const struct cg_plan *p, struct cu_error **err)
{
        for (size_t i = 0; i < p->n_writes; i++) {
                const struct cg_write *w = &p->writes[i];
                const char *base = cg->root;
                if (cg->version == 1) {
                        const struct cg_hierarchy *h = cg_find_hierarchy(cg, w->controller);
                        if (!h) {
                                log_debug("cgroup: %s not mounted, not setting %s to %s",
                                          strempty(w->controller), w->file, w->value);
                                continue;
                        }
                        base = h->dir;
                }
                _cleanup_free_ char *dir = cg_path_join(base, w->dir ? w->dir : cg->path);
                if (!dir)
                        return cu_error_set(err, ENOMEM, "asprintf");

                const char *file = w->file;
                _cleanup_error_ struct cu_error *e = NULL;
                /* Write first; only a missing file (ENOENT) looks for the alternative. In a
                 * fake tree (tests) writes create files, so ask first there. */
                int r = -ENOENT;
                if (!cg->fake || file_exists(dir, file))
                        r = cg_write(cg, dir, file, w->value, &e);
                if (r == -ENOENT) {
                        cu_error_clear(&e);
                        if (w->alt_file && file_exists(dir, w->alt_file)) {
                                file = w->alt_file;
                        } else if (w->flags & CG_W_OPTIONAL) {
                                log_debug("cgroup: %s/%s absent, not setting it to %s", dir,
                                          file, w->value);
                                continue;
                        }
                        r = cg_write(cg, dir, file, w->value, &e);
                }
                if (r < 0 && (w->flags & CG_W_BEST_EFFORT)) {
                        log_debug("cgroup: %s, ignoring", cu_error_msg(e));
                        continue;
                }
                if (r < 0) {
                        if (err) {
                                cu_error_free(*err);
                                *err = TAKE_PTR(e);
                        }
                        return r;
                }
        }
        return 0;
}

/* ---- I/O helpers ---- */

int cg_write(const struct cgroup *cg, const char *dir, const char *file, const char *value,
             struct cu_error **err)
{
        _cleanup_free_ char *path = cg_path_join(dir, file);
        if (!path)
                return cu_error_set(err, ENOMEM, "asprintf");
        int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
        if (cg->fake)
                flags |= O_CREAT | O_APPEND;
        _cleanup_close_ int fd = open(path, flags, 0644);
        int r = 0;
        if (fd < 0) {
                r = -errno;
        } else if (cg->fake) {
                r = write_all(fd, value, strlen(value));
                if (r >= 0)
                        r = write_all(fd, "\n", 1);
        } else {
                /* One write() per value: the kernel parses each write on its own. */
                size_t len = strlen(value);
                ssize_t k = write(fd, value, len);
                if (k < 0)
                        r = -errno;
                else if ((size_t) k != len)
                        r = -EIO;
        }
        if (r < 0) {
                log_debug("cgroup: writing \"%s\" to %s: %s", value, path, strerror(-r));
                return cu_error_set(err, -r, "setting %s to %s", file, value);
        }
        return 0;
}

int cg_read(const struct cgroup *cg, const char *dir, const char *file, char **ret)
{
        _cleanup_free_ char *path = cg_path_join(dir, file);
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        if (!path)
                return -ENOMEM;
        int r = read_full_file_at(AT_FDCWD, path, &s, &len);
        if (r < 0)
                return r;
        while (len > 0 && s[len - 1] == '\n')
                s[--len] = '\0';
        if (cg->fake) {
                char *nl = strrchr(s, '\n');
                if (nl)
                        memmove(s, nl + 1, strlen(nl + 1) + 1);
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int cg_read_u64(const struct cgroup *cg, const char *dir, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = cg_read(cg, dir, file, &s);
        if (r < 0)
                return r;
        if (strcmp(s, "max") == 0) {
                *ret = CGROUP_UNLIMITED;
                return 0;
        }
        return safe_atou64(s, ret);
}

int cg_mkdir_p(const char *dir, struct cu_error **err)
{
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return cu_error_set(err, -r, "creating cgroup %s", dir);
        return 0;
}

void cg_poll_sleep(unsigned attempt)
{
        long ms = attempt < 10 ? 1 : 10;
        struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };
        (void) nanosleep(&ts, NULL);
}

static int rmdir_retry(const char *dir)
{
        /* A cgroup stays busy for a moment after its last process exited. */
        for (unsigned i = 0;; i++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= 110)
                        return -errno;
                cg_poll_sleep(i);
        }
}

static int rmdir_children(const char *dir)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int ret = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = cg_path_join(dir, de->d_name);
                if (!sub)
                        return -ENOMEM;
                int r = rmdir_children(sub);
                if (r >= 0)
                        r = rmdir_retry(sub);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

int cg_rmdir_tree(const struct cgroup *cg, const char *dir, struct cu_error **err)
{
        int r;
        if (cg->fake) {
                r = rm_rf(dir);
        } else if (rmdir(dir) == 0 || errno == ENOENT) {
                r = 0; /* the usual case: no sub-cgroups, no processes left */
        } else {
                r = rmdir_children(dir);
                if (r >= 0)
                        r = rmdir_retry(dir);
        }
        if (r < 0)
                return cu_error_set(err, -r, "removing cgroup %s", dir);
        return 0;
}

int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, struct cu_error **err)
{
        _cleanup_free_ char *procs = cg_path_join(dir, "cgroup.procs");
        _cleanup_free_ char *text = NULL;
        if (!procs)
                return cu_error_set(err, ENOMEM, "asprintf");
        int r = read_full_file_at(AT_FDCWD, procs, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", procs);
        for (char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                char c = p[len];
                p[len] = '\0';
                int pid = 0;
                if (len > 0 && safe_atoi(p, &pid) >= 0 && pid > 0) {
                        pid_t *np = realloc(*pids, (*n + 1) * sizeof(pid_t));
                        if (!np)
                                return cu_error_set(err, ENOMEM, "realloc");
                        *pids = np;
                        np[(*n)++] = pid;
                }
                p += len + (c == '\n');
        }

        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : cu_error_set(err, errno, "opening %s", dir);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = cg_path_join(dir, de->d_name);
                if (!sub)
                        return cu_error_set(err, ENOMEM, "asprintf");
                r = cg_collect_pids(sub, pids, n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- dispatch ---- */

int cgroup_enter(struct cgroup *cg, const struct oci_resources *res, pid_t pid,
                 struct cu_error **err)
{
        int r = cg->ops->create(cg, res, err);
        if (r < 0)
                return r;
        if (res) {
                r = cg->ops->apply(cg, res, true, err);
                if (r < 0)
                        return r;
        }
        if (pid > 0)
                return cg->ops->add_pid(cg, pid, err);
        return 0;
}

int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct cu_error **err)
{
        return cg->ops->add_pid(cg, pid, err);
}

int cgroup_update(struct cgroup *cg, const struct oci_resources *res, struct cu_error **err)
{
        if (!res)
                return 0;
        return cg->ops->apply(cg, res, false, err);
}

int cgroup_get_pids(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct cu_error **err)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cg->ops->procs_dir(cg, &dir, err);
        if (r < 0)
                return r;
        r = cg_collect_pids(dir, &pids, &n, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static bool pid_in(const pid_t *l, size_t n, pid_t p)
{
        for (size_t i = 0; i < n; i++)
                if (l[i] == p)
                        return true;
        return false;
}

int cgroup_kill_all(struct cgroup *cg, int sig, struct cu_error **err)
{
        int r = cg->ops->kill(cg, sig, err);
        if (r != -EOPNOTSUPP)
                return r;

        /* Freeze so that nothing forks while we walk the list. */
        bool was_frozen = false, froze = false;
        if (cgroup_is_frozen(cg, &was_frozen, NULL) < 0)
                was_frozen = false;
        if (!was_frozen)
                froze = cgroup_freeze(cg, true, NULL) >= 0;

        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = cgroup_get_pids(cg, &pids, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        r = cu_error_set(err, errno, "sending signal %d to %d", sig,
                                         (int) pids[i]);

        if (r >= 0 && !froze && !was_frozen && sig == SIGKILL) {
                /* No freezer: catch children forked while we were killing. */
                _cleanup_free_ pid_t *again = NULL;
                size_t m = 0;
                if (cgroup_get_pids(cg, &again, &m, NULL) >= 0)
                        for (size_t i = 0; i < m; i++)
                                if (!pid_in(pids, n, again[i]))
                                        (void) kill(again[i], sig);
        }
        if (froze) {
                int k = cgroup_freeze(cg, false, r < 0 ? NULL : err);
                if (r >= 0)
                        r = k;
        }
        return r < 0 ? r : 0;
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct cu_error **err)
{
        return cg->ops->freeze(cg, frozen, err);
}

int cgroup_is_frozen(struct cgroup *cg, bool *ret, struct cu_error **err)
{
        return cg->ops->is_frozen(cg, ret, err);
}

int cgroup_destroy(struct cgroup *cg, struct cu_error **err)
{
        return cg->ops->destroy(cg, err);
}

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *ret, struct cu_error **err)
{
        *ret = (struct cgroup_stats){ 0 };
        return cg->ops->stats(cg, ret, err);
}
