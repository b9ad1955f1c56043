/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2: one tree, controllers enabled from the top, devices through eBPF. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-bpf.h"
#include "cgroup-internal.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

static const char *const io_throttle_keys[4] = { "rbps", "wbps", "riops", "wiops" };

#define ADD(plan, file, flags, ...)                                                                \
        do {                                                                                       \
                if (cg_plan_add(plan, NULL, NULL, file, NULL, flags, __VA_ARGS__) < 0)             \
                        return -ENOMEM;                                                            \
        } while (0)

/* ---- conversions from the v1-shaped OCI values ---- */

static uint64_t shares_to_weight(uint64_t shares)
{
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

static uint64_t blkio_to_io_weight(uint64_t w)
{
        return 1 + (w - 10) * 9999 / 990;
}

static bool has_memory(const struct oci_resources *res)
{
        return (res->has_memory_limit && res->memory_limit != 0) ||
               (res->has_memory_reservation && res->memory_reservation != 0) ||
               (res->has_memory_swap && res->memory_swap != 0);
}

static bool has_cpu(const struct oci_resources *res)
{
        return (res->has_cpu_shares && res->cpu_shares != 0) ||
               (res->has_cpu_quota && res->cpu_quota != 0) ||
               (res->has_cpu_period && res->cpu_period != 0) || res->has_cpu_burst ||
               res->has_cpu_idle;
}

static bool has_io(const struct oci_resources *res)
{
        if ((res->has_blkio_weight && res->blkio_weight != 0) || res->n_blkio_weight_device)
                return true;
        for (size_t k = 0; k < 4; k++)
                if (res->n_blkio_throttle[k])
                        return true;
        return false;
}

int cg_v2_needed_controllers(const struct oci_resources *res, char ***ret)
{
        _cleanup_strv_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        if (res) {
                const struct {
                        const char *name;
                        bool on;
                } t[] = {
                        { "cpuset", (res->cpu_cpus && *res->cpu_cpus) ||
                                            (res->cpu_mems && *res->cpu_mems) },
                        { "cpu", has_cpu(res) },
                        { "io", has_io(res) },
                        { "memory", has_memory(res) },
                        { "hugetlb", res->n_hugepage_limits > 0 },
                        { "pids", res->has_pids_limit },
                };
                for (size_t i = 0; i < ELEMENTSOF(t); i++)
                        if (t[i].on && strv_extend(&l, t[i].name) < 0)
                                return -ENOMEM;
                for (char **kv = res->unified; kv && kv[0] && kv[1]; kv += 2) {
                        size_t n = strcspn(kv[0], ".");
                        _cleanup_free_ char *c = strndup(kv[0], n);
                        if (!c)
                                return -ENOMEM;
                        if (!kv[0][n] || strcmp(c, "cgroup") == 0 || strv_contains(l, c))
                                continue;
                        if (strv_push(&l, TAKE_PTR(c)) < 0)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int cg_v2_plan_controllers(const char *path, char *const *available, char **const *enabled,
                           char *const *needed, struct cg_plan *plan, struct cu_error **err)
{
        for (char *const *c = needed; c && *c; c++)
                if (!strv_contains(available, *c))
                        return cu_error_setx(err, EOPNOTSUPP,
                                             "cgroup controller %s is not available", *c);

        /* Level 0 is the root; level i the first i components of path.  The leaf itself
         * keeps its subtree_control empty (no internal processes). */
        size_t level = 0;
        const char *s = path;
        for (;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                _cleanup_free_ char *dir = strndup(path, (size_t) (s - path));
                if (!dir)
                        return cu_error_set(err, ENOMEM, "strndup");
                size_t dl = strlen(dir);
                while (dl > 0 && dir[dl - 1] == '/')
                        dir[--dl] = '\0';
                for (char *const *c = available; c && *c; c++) {
                        if (enabled && strv_contains(enabled[level], *c))
                                continue;
                        unsigned flags = strv_contains(needed, *c) ? 0 : CG_W_BEST_EFFORT;
                        if (cg_plan_add(plan, NULL, dir, "cgroup.subtree_control", NULL, flags,
                                        "+%s", *c) < 0)
                                return cu_error_set(err, ENOMEM, "planning cgroup writes");
                }
                s += strcspn(s, "/");
                level++;
        }
        return 0;
}

/* ---- resources ---- */

static int plan_memory(const struct oci_resources *res, struct cg_plan *p,
                       struct cu_error **err)
{
        int64_t limit = res->has_memory_limit ? res->memory_limit : 0;
        int64_t swap = res->has_memory_swap ? res->memory_swap : 0;

        if (limit < -1)
                return cu_error_setx(err, EINVAL, "invalid memory limit %" PRId64, limit);
        if (swap < -1)
                return cu_error_setx(err, EINVAL, "invalid memory+swap limit %" PRId64, swap);
        /* OCI gives memory+swap; memory.swap.max is swap alone. */
        if (limit == -1 && swap == 0)
                swap = -1;
        if (swap > 0) {
                if (limit <= 0)
                        return cu_error_setx(err, EINVAL,
                                             "a memory+swap limit needs a memory limit");
                if (swap < limit)
                        return cu_error_setx(err, EINVAL,
                                             "memory+swap limit (%" PRId64 ") should be greater "
                                             "than or equal to the memory limit (%" PRId64 ")",
                                             swap, limit);
        }
        /* Without swap accounting the file is absent: as on v1, go without. */
        if (swap == -1)
                ADD(p, "memory.swap.max", CG_W_OPTIONAL, "max");
        else if (swap > 0)
                ADD(p, "memory.swap.max", CG_W_OPTIONAL, "%" PRId64, swap - limit);
        if (limit == -1)
                ADD(p, "memory.max", 0, "max");
        else if (limit > 0)
                ADD(p, "memory.max", 0, "%" PRId64, limit);
        if (res->has_memory_reservation && res->memory_reservation != 0) {
                if (res->memory_reservation == -1)
                        ADD(p, "memory.low", 0, "max");
                else
                        ADD(p, "memory.low", 0, "%" PRId64, res->memory_reservation);
        }
        /* swappiness, kernel, kernelTCP and disableOOMKiller have no v2 equivalent. */
        return 0;
}

static int plan_cpu(const struct oci_resources *res, const struct cg_current *cur,
                    struct cg_plan *p, struct cu_error **err)
{
        if ((res->has_cpu_rt_runtime && res->cpu_rt_runtime != 0) ||
            (res->has_cpu_rt_period && res->cpu_rt_period != 0))
                return cu_error_setx(err, EOPNOTSUPP,
                                     "realtime cpu limits are not supported on cgroup v2");
        if (res->cpu_cpus && *res->cpu_cpus)
                ADD(p, "cpuset.cpus", 0, "%s", res->cpu_cpus);
        if (res->cpu_mems && *res->cpu_mems)
                ADD(p, "cpuset.mems", 0, "%s", res->cpu_mems);
        if (res->has_cpu_shares && res->cpu_shares != 0)
                ADD(p, "cpu.weight", 0, "%" PRIu64, shares_to_weight(res->cpu_shares));
        bool quota = res->has_cpu_quota && res->cpu_quota != 0;
        bool period = res->has_cpu_period && res->cpu_period != 0;
        if (quota || period) {
                /* cpu.max holds both: keep the current value of the one not given. */
                int64_t q = quota ? res->cpu_quota : cur->cpu_quota;
                uint64_t per = period ? res->cpu_period : cur->cpu_period;
                if (q < 0)
                        ADD(p, "cpu.max", 0, "max %" PRIu64, per);
                else
                        ADD(p, "cpu.max", 0, "%" PRId64 " %" PRIu64, q, per);
        }
        if (res->has_cpu_burst)
                ADD(p, "cpu.max.burst", 0, "%" PRIu64, res->cpu_burst);
        if (res->has_cpu_idle)
                ADD(p, "cpu.idle", 0, "%" PRId64, res->cpu_idle);
        return 0;
}

static int plan_io(const struct oci_resources *res, struct cg_plan *p, struct cu_error **err)
{
        if (res->has_blkio_weight && res->blkio_weight != 0) {
                if (res->blkio_weight < 10 || res->blkio_weight > 1000)
                        return cu_error_setx(err, EINVAL, "invalid blkio weight %u: want 10-1000",
                                             (unsigned) res->blkio_weight);
                ADD(p, "io.weight", 0, "default %" PRIu64,
                    blkio_to_io_weight(res->blkio_weight));
        }
        for (size_t i = 0; i < res->n_blkio_weight_device; i++) {
                const struct oci_weight_device *d = &res->blkio_weight_device[i];
                if (!d->has_weight || d->weight == 0)
                        continue;
                if (d->weight < 10 || d->weight > 1000)
                        return cu_error_setx(err, EINVAL,
                                             "invalid blkio weight %u for %" PRId64 ":%" PRId64
                                             ": want 10-1000",
                                             (unsigned) d->weight, d->major, d->minor);
                ADD(p, "io.weight", 0, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                    blkio_to_io_weight(d->weight));
        }
        for (size_t k = 0; k < 4; k++)
                for (size_t i = 0; i < res->n_blkio_throttle[k]; i++) {
                        const struct oci_throttle_device *d = &res->blkio_throttle[k][i];
                        /* v1 takes 0 as "no limit"; v2 spells it "max". */
                        if (d->rate == 0)
                                ADD(p, "io.max", 0, "%" PRId64 ":%" PRId64 " %s=max", d->major,
                                    d->minor, io_throttle_keys[k]);
                        else
                                ADD(p, "io.max", 0, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
                                    d->major, d->minor, io_throttle_keys[k], d->rate);
                }
        return 0;
}

static bool valid_page_size(const char *s)
{
        size_t n = strspn(s, "0123456789");
        return n > 0 && s[0] != '0' &&
               (strcmp(s + n, "KB") == 0 || strcmp(s + n, "MB") == 0 ||
                strcmp(s + n, "GB") == 0);
}

static int plan_hugetlb(const struct oci_resources *res, struct cg_plan *p,
                        struct cu_error **err)
{
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct oci_hugepage_limit *h = &res->hugepage_limits[i];
                _cleanup_free_ char *max = NULL, *rsvd = NULL;
                if (!valid_page_size(h->page_size))
                        return cu_error_setx(err, EINVAL, "invalid hugepage size \"%s\"",
                                             h->page_size);
                if (asprintf(&max, "hugetlb.%s.max", h->page_size) < 0 ||
                    asprintf(&rsvd, "hugetlb.%s.rsvd.max", h->page_size) < 0)
                        return -ENOMEM;
                ADD(p, max, 0, "%" PRIu64, h->limit);
                ADD(p, rsvd, CG_W_OPTIONAL, "%" PRIu64, h->limit);
        }
        return 0;
}

static int plan_unified(const struct oci_resources *res, struct cg_plan *p,
                        struct cu_error **err)
{
        static const char *const forbidden[] = { "cgroup.procs", "cgroup.threads",
                                                 "cgroup.subtree_control", "cgroup.kill",
                                                 "cgroup.type" };
        for (char **kv = res->unified; kv && kv[0] && kv[1]; kv += 2) {
                const char *k = kv[0];
                bool bad = !*k || strchr(k, '/') || !strchr(k, '.') || k[0] == '.';
                for (size_t i = 0; i < ELEMENTSOF(forbidden) && !bad; i++)
                        bad = strcmp(k, forbidden[i]) == 0;
                if (bad)
                        return cu_error_setx(err, EINVAL,
                                             "linux.resources.unified: invalid key \"%s\"", k);
                ADD(p, k, 0, "%s", kv[1]);
        }
        return 0;
}

static int plan_devices(const struct oci_resources *res, struct cg_plan *p,
                        struct cu_error **err)
{
        size_t n = res->n_devices, total = n + cg_n_default_devices;
        _cleanup_free_ struct oci_device_cgroup *all = calloc(total, sizeof(*all));
        if (!all)
                return -ENOMEM;
        if (n)
                memcpy(all, res->devices, n * sizeof(*all));
        memcpy(all + n, cg_default_devices, cg_n_default_devices * sizeof(*all));
        int r = cg_bpf_device_program(all, total, &p->dev_prog, &p->n_dev_prog, err);
        if (r < 0)
                return r;
        p->has_dev_prog = true;
        return 0;
}

int cg_v2_plan(const struct oci_resources *res, const struct cg_current *cur, bool creating,
               struct cg_plan *ret, struct cu_error **err)
{
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        int r = plan_cpu(res, cur, &p, err);
        if (r >= 0)
                r = plan_memory(res, &p, err);
        if (r >= 0 && res->has_pids_limit) {
                if (res->pids_limit > 0)
                        r = cg_plan_add(&p, NULL, NULL, "pids.max", NULL, 0, "%" PRId64,
                                        res->pids_limit);
                else
                        r = cg_plan_add(&p, NULL, NULL, "pids.max", NULL, 0, "max");
        }
        if (r >= 0)
                r = plan_io(res, &p, err);
        if (r >= 0)
                r = plan_hugetlb(res, &p, err);
        /* Last: unified keys override the values above. */
        if (r >= 0)
                r = plan_unified(res, &p, err);
        if (r >= 0 && (creating || res->n_devices > 0))
                r = plan_devices(res, &p, err);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "planning cgroup writes");
        if (r < 0)
                return r;
        *ret = p;
        p = (struct cg_plan){ 0 };
        return 0;
}

/* ---- operations ---- */

static char *leaf_dir(const struct cgroup *cg)
{
        return cg_path_join(cg->root, cg->path);
}

/* Words of a cgroup.controllers / cgroup.subtree_control file; on a fake tree the file
 * is a log of "+x" / "-x" writes, which this replays. */
static char **read_controllers(const char *dir, const char *file)
{
        _cleanup_free_ char *path = cg_path_join(dir, file);
        _cleanup_free_ char *text = NULL;
        char **l = calloc(1, sizeof(char *));
        if (!l || !path || read_full_file_at(AT_FDCWD, path, &text, NULL) < 0)
                return l;
        for (char *save = NULL, *w = strtok_r(text, " \t\n", &save); w;
             w = strtok_r(NULL, " \t\n", &save)) {
                bool remove = w[0] == '-';
                const char *name = w + (w[0] == '+' || w[0] == '-');
                if (remove) {
                        size_t o = 0;
                        for (size_t i = 0; l[i]; i++)
                                if (strcmp(l[i], name) == 0)
                                        free(l[i]);
                                else
                                        l[o++] = l[i];
                        l[o] = NULL;
                } else if (!strv_contains(l, name) && strv_extend(&l, name) < 0) {
                        return strv_free(l);
                }
        }
        return l;
}

static int enable_controllers(struct cgroup *cg, const struct oci_resources *res,
                              struct cu_error **err)
{
        _cleanup_strv_ char **available = read_controllers(cg->root, "cgroup.controllers");
        _cleanup_strv_ char **needed = NULL;
        if (!available || cg_v2_needed_controllers(res, &needed) < 0)
                return cu_error_set(err, ENOMEM, "reading cgroup.controllers");

        /* What each ancestor already has. */
        size_t depth = 0;
        for (const char *s = cg->path; *s; s++)
                if (*s == '/' && s[1] && s[1] != '/')
                        depth++;
        _cleanup_free_ char ***enabled = calloc(depth + 1, sizeof(char **));
        if (!enabled)
                return cu_error_set(err, ENOMEM, "calloc");
        int r = 0;
        for (size_t i = 0; i < depth && r >= 0; i++) {
                /* The first i components of the path. */
                const char *s = cg->path;
                for (size_t k = 0; k < i; k++) {
                        s += strspn(s, "/");
                        s += strcspn(s, "/");
                }
                _cleanup_free_ char *rel = strndup(cg->path, (size_t) (s - cg->path));
                _cleanup_free_ char *dir = rel ? cg_path_join(cg->root, rel) : NULL;
                enabled[i] = dir ? read_controllers(dir, "cgroup.subtree_control") : NULL;
                if (!enabled[i])
                        r = -ENOMEM;
        }

        _cleanup_(cg_plan_done) struct cg_plan plan = { 0 };
        if (r >= 0)
                r = cg_v2_plan_controllers(cg->path, available, enabled, needed, &plan, err);
        else
                cu_error_set(err, ENOMEM, "reading cgroup.subtree_control");
        for (size_t i = 0; i < depth; i++)
                strv_free(enabled[i]);
        if (r < 0)
                return r;
        return cg_plan_apply(cg, &plan, err);
}

static int v2_create(struct cgroup *cg, const struct oci_resources *res, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        int r = cg_mkdir_p(dir, err);
        if (r < 0)
                return r;
        return enable_controllers(cg, res, err);
}

static void read_cpu_max(const struct cgroup *cg, const char *dir, struct cg_current *cur)
{
        _cleanup_free_ char *s = NULL;
        if (cg_read(cg, dir, "cpu.max", &s) < 0)
                return;
        char *sp = strchr(s, ' ');
        if (!sp)
                return;
        *sp = '\0';
        int64_t q = 0;
        uint64_t per = 0;
        if (strcmp(s, "max") == 0)
                cur->cpu_quota = -1;
        else if (safe_atoi64(s, &q) >= 0)
                cur->cpu_quota = q;
        if (safe_atou64(sp + 1, &per) >= 0 && per > 0)
                cur->cpu_period = per;
}

static int v2_apply(struct cgroup *cg, const struct oci_resources *res, bool creating,
                    struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        struct cg_current cur;
        cg_current_init(&cur);
        read_cpu_max(cg, dir, &cur);

        int r;
        if (!creating) {
                r = enable_controllers(cg, res, err);
                if (r < 0)
                        return r;
        }
        _cleanup_(cg_plan_done) struct cg_plan plan = { 0 };
        r = cg_v2_plan(res, &cur, creating, &plan, err);
        if (r < 0)
                return r;
        r = cg_plan_apply(cg, &plan, err);
        if (r < 0 || !plan.has_dev_prog)
                return r;
        if (cg->fake) {
                log_debug("cgroup: fake tree, not attaching the device program (%zu insns)",
                          plan.n_dev_prog);
                return 0;
        }
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", dir);
        return cg_bpf_attach_devices(fd, plan.dev_prog, plan.n_dev_prog, err);
}

static int v2_add_pid(struct cgroup *cg, pid_t pid, struct cu_error **err)
{
        char buf[32];
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        snprintf(buf, sizeof buf, "%d", (int) pid);
        int r = cg_write(cg, dir, "cgroup.procs", buf, err);
        if (r < 0)
                return cu_error_prefix(err, r, "joining %s", dir);
        return 0;
}

static int v2_procs_dir(const struct cgroup *cg, char **ret, struct cu_error **err)
{
        *ret = leaf_dir(cg);
        return *ret ? 0 : cu_error_set(err, ENOMEM, "asprintf");
}

static int v2_kill(struct cgroup *cg, int sig, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        _cleanup_free_ char *kill_file = dir ? cg_path_join(dir, "cgroup.kill") : NULL;
        if (!kill_file)
                return cu_error_set(err, ENOMEM, "asprintf");
        if (sig != SIGKILL || access(kill_file, F_OK) < 0)
                return -EOPNOTSUPP;
        return cg_write(cg, dir, "cgroup.kill", "1", err);
}

/* "frozen 1" in cgroup.events (cgroup.freeze on a fake tree). */
static int read_frozen(const struct cgroup *cg, const char *dir, bool *ret)
{
        _cleanup_free_ char *path = cg_path_join(dir, "cgroup.events");
        _cleanup_free_ char *text = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_full_file_at(AT_FDCWD, path, &text, NULL);
        if (r == -ENOENT && cg->fake) {
                _cleanup_free_ char *v = NULL;
                r = cg_read(cg, dir, "cgroup.freeze", &v);
                if (r == -ENOENT) {
                        *ret = false;
                        return 0;
                }
                if (r < 0)
                        return r;
                *ret = strcmp(v, "1") == 0;
                return 0;
        }
        if (r < 0)
                return r;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, "frozen ", 7) == 0) {
                        *ret = l[7] == '1';
                        return 0;
                }
        *ret = false;
        return 0;
}

static int v2_freeze(struct cgroup *cg, bool frozen, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        if (!cg->fake) {
                _cleanup_free_ char *f = cg_path_join(dir, "cgroup.freeze");
                if (f && access(f, F_OK) < 0 && errno == ENOENT) {
                        if (access(dir, F_OK) < 0)
                                return cu_error_set(err, errno, "cgroup %s", dir);
                        return cu_error_setx(err, EOPNOTSUPP,
                                             "the cgroup v2 freezer needs Linux 5.2");
                }
        }
        int r = cg_write(cg, dir, "cgroup.freeze", frozen ? "1" : "0", err);
        if (r < 0 || cg->fake)
                return r;
        for (unsigned i = 0; i < 320; i++) {
                bool now = false;
                r = read_frozen(cg, dir, &now);
                if (r < 0)
                        return cu_error_set(err, -r, "reading %s/cgroup.events", dir);
                if (now == frozen)
                        return 0;
                cg_poll_sleep(i);
        }
        if (frozen)
                (void) cg_write(cg, dir, "cgroup.freeze", "0", NULL);
        return cu_error_setx(err, EBUSY, "timed out %s %s", frozen ? "freezing" : "thawing",
                             dir);
}

static int v2_is_frozen(struct cgroup *cg, bool *ret, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        int r = read_frozen(cg, dir, ret);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s/cgroup.events", dir);
        return 0;
}

static int v2_destroy(struct cgroup *cg, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        return cg_rmdir_tree(cg, dir, err);
}

static int v2_stats(struct cgroup *cg, struct cgroup_stats *st, struct cu_error **err)
{
        _cleanup_free_ char *dir = leaf_dir(cg);
        _cleanup_free_ char *cpu = NULL;
        if (!dir)
                return cu_error_set(err, ENOMEM, "asprintf");
        st->has_memory = cg_read_u64(cg, dir, "memory.current", &st->memory_usage) >= 0 &&
                         cg_read_u64(cg, dir, "memory.max", &st->memory_limit) >= 0;
        st->has_pids = cg_read_u64(cg, dir, "pids.current", &st->pids_current) >= 0 &&
                       cg_read_u64(cg, dir, "pids.max", &st->pids_limit) >= 0;
        _cleanup_free_ char *path = cg_path_join(dir, "cpu.stat");
        if (path && read_full_file_at(AT_FDCWD, path, &cpu, NULL) >= 0) {
                char *l = strstr(cpu, "usage_usec ");
                uint64_t us = 0;
                if (l) {
                        l += strlen("usage_usec ");
                        l[strcspn(l, "\n")] = '\0';
                        if (safe_atou64(l, &us) >= 0) {
                                st->cpu_usage_ns = us * 1000;
                                st->has_cpu = true;
                        }
                }
        }
        return 0;
}

const struct cgroup_ops cg_v2_ops = {
        .create = v2_create,
        .apply = v2_apply,
        .add_pid = v2_add_pid,
        .procs_dir = v2_procs_dir,
        .kill = v2_kill,
        .freeze = v2_freeze,
        .is_frozen = v2_is_frozen,
        .destroy = v2_destroy,
        .stats = v2_stats,
};
