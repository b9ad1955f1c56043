/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v1 (and hybrid): one directory per hierarchy, resources as plain files. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util/log.h"
#include "util/strv.h"

/* memory.limit_in_bytes reads back as a page-aligned LONG_MAX when unlimited. */
#define V1_UNLIMITED_THRESHOLD ((uint64_t) 1 << 62)

static const char *const throttle_files[4] = {
        "blkio.throttle.read_bps_device",
        "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device",
        "blkio.throttle.write_iops_device",
};

#define ADD(plan, ctrl, file, alt, flags, ...)                                                     \
        do {                                                                                       \
                if (cg_plan_add(plan, ctrl, NULL, file, alt, flags, __VA_ARGS__) < 0)              \
                        return -ENOMEM;                                                            \
        } while (0)

static int plan_devices(const struct oci_resources *res, struct cg_plan *p)
{
        ADD(p, "devices", "devices.deny", NULL, 0, "a");
        size_t n = res ? res->n_devices : 0;
        for (size_t i = 0; i < n + cg_n_default_devices; i++) {
                const struct oci_device_cgroup *d =
                        i < n ? &res->devices[i] : &cg_default_devices[i - n];
                _cleanup_free_ char *rule = cg_device_rule_string(d);
                if (!rule)
                        return -ENOMEM;
                ADD(p, "devices", d->allow ? "devices.allow" : "devices.deny", NULL, 0, "%s",
                    rule);
        }
        return 0;
}

static int plan_memory(const struct oci_resources *res, const struct cg_current *cur,
                       bool creating, struct cg_plan *p, struct cu_error **err)
{
        int64_t limit = res->has_memory_limit ? res->memory_limit : 0;
        int64_t swap = res->has_memory_swap ? res->memory_swap : 0;

        if (limit < -1)
                return cu_error_setx(err, EINVAL, "invalid memory limit %" PRId64, limit);
        if (swap < -1)
                return cu_error_setx(err, EINVAL, "invalid memory+swap limit %" PRId64, swap);
        if (limit > 0 && swap > 0 && swap < limit)
                return cu_error_setx(err, EINVAL,
                                     "memory+swap limit (%" PRId64 ") should be greater than or "
                                     "equal to the memory limit (%" PRId64 ")",
                                     swap, limit);
        /* Unlimited memory with swap unset means unlimited swap as well. */
        if (limit == -1 && swap == 0)
                swap = -1;

        /* memory.limit_in_bytes <= memory.memsw.limit_in_bytes at all times: raise memsw
         * first when it stays above the current limit, else lower the limit first. */
        bool swap_first = swap == -1 || (cur->memory_limit != -1 && swap >= cur->memory_limit);
        if (swap != 0 && swap_first)
                ADD(p, "memory", "memory.memsw.limit_in_bytes", NULL, CG_W_OPTIONAL,
                    "%" PRId64, swap);
        if (limit != 0)
                ADD(p, "memory", "memory.limit_in_bytes", NULL, 0, "%" PRId64, limit);
        if (swap != 0 && !swap_first)
                ADD(p, "memory", "memory.memsw.limit_in_bytes", NULL, CG_W_OPTIONAL,
                    "%" PRId64, swap);

        if (res->has_memory_reservation && res->memory_reservation != 0)
                ADD(p, "memory", "memory.soft_limit_in_bytes", NULL, 0, "%" PRId64,
                    res->memory_reservation);
        /* Kernel memory limits are gone from recent kernels (writes fail): best effort. */
        if (res->has_memory_kernel && res->memory_kernel != 0)
                ADD(p, "memory", "memory.kmem.limit_in_bytes", NULL,
                    CG_W_OPTIONAL | CG_W_BEST_EFFORT, "%" PRId64, res->memory_kernel);
        if (res->has_memory_kernel_tcp && res->memory_kernel_tcp != 0)
                ADD(p, "memory", "memory.kmem.tcp.limit_in_bytes", NULL, CG_W_OPTIONAL,
                    "%" PRId64, res->memory_kernel_tcp);
        /* -1 read as uint64 means "unset" (runc). */
        if (res->has_memory_swappiness && res->memory_swappiness != UINT64_MAX) {
                if (res->memory_swappiness > 100)
                        return cu_error_setx(err, EINVAL,
                                             "invalid memory swappiness %" PRIu64
                                             ": want 0-100",
                                             res->memory_swappiness);
                ADD(p, "memory", "memory.swappiness", NULL, 0, "%" PRIu64,
                    res->memory_swappiness);
        }
        if (res->has_disable_oom_killer && (res->disable_oom_killer || !creating))
                ADD(p, "memory", "memory.oom_control", NULL, 0, "%d",
                    res->disable_oom_killer ? 1 : 0);
        return 0;
}

static int plan_cpu(const struct oci_resources *res, struct cg_plan *p)
{
        if (res->cpu_cpus && *res->cpu_cpus)
                ADD(p, "cpuset", "cpuset.cpus", NULL, 0, "%s", res->cpu_cpus);
        if (res->cpu_mems && *res->cpu_mems)
                ADD(p, "cpuset", "cpuset.mems", NULL, 0, "%s", res->cpu_mems);
        if (res->has_cpu_shares && res->cpu_shares != 0)
                ADD(p, "cpu", "cpu.shares", NULL, 0, "%" PRIu64, res->cpu_shares);
        if (res->has_cpu_period && res->cpu_period != 0)
                ADD(p, "cpu", "cpu.cfs_period_us", NULL, 0, "%" PRIu64, res->cpu_period);
        if (res->has_cpu_quota && res->cpu_quota != 0)
                ADD(p, "cpu", "cpu.cfs_quota_us", NULL, 0, "%" PRId64, res->cpu_quota);
        if (res->has_cpu_burst)
                ADD(p, "cpu", "cpu.cfs_burst_us", NULL, 0, "%" PRIu64, res->cpu_burst);
        /* The period first: the runtime must fit in it. */
        if (res->has_cpu_rt_period && res->cpu_rt_period != 0)
                ADD(p, "cpu", "cpu.rt_period_us", NULL, 0, "%" PRIu64, res->cpu_rt_period);
        if (res->has_cpu_rt_runtime && res->cpu_rt_runtime != 0)
                ADD(p, "cpu", "cpu.rt_runtime_us", NULL, 0, "%" PRId64, res->cpu_rt_runtime);
        if (res->has_cpu_idle)
                ADD(p, "cpu", "cpu.idle", NULL, 0, "%" PRId64, res->cpu_idle);
        return 0;
}

static int plan_blkio(const struct oci_resources *res, struct cg_plan *p)
{
        if (res->has_blkio_weight && res->blkio_weight != 0)
                ADD(p, "blkio", "blkio.weight", "blkio.bfq.weight", 0, "%u",
                    (unsigned) res->blkio_weight);
        /* leaf weights went away with CFQ: only where the kernel still has them. */
        if (res->has_blkio_leaf_weight && res->blkio_leaf_weight != 0)
                ADD(p, "blkio", "blkio.leaf_weight", NULL, CG_W_OPTIONAL, "%u",
                    (unsigned) res->blkio_leaf_weight);
        for (size_t i = 0; i < res->n_blkio_weight_device; i++) {
                const struct oci_weight_device *d = &res->blkio_weight_device[i];
                if (d->has_weight && d->weight != 0)
                        ADD(p, "blkio", "blkio.weight_device", "blkio.bfq.weight_device", 0,
                            "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                            (unsigned) d->weight);
                if (d->has_leaf_weight && d->leaf_weight != 0)
                        ADD(p, "blkio", "blkio.leaf_weight_device", NULL, CG_W_OPTIONAL,
                            "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                            (unsigned) d->leaf_weight);
        }
        for (size_t k = 0; k < 4; k++)
                for (size_t i = 0; i < res->n_blkio_throttle[k]; i++) {
                        const struct oci_throttle_device *d = &res->blkio_throttle[k][i];
                        ADD(p, "blkio", throttle_files[k], NULL, 0,
                            "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate);
                }
        return 0;
}

/* "2MB", "1GB", "64KB": the names the kernel uses in hugetlb.<size>.* files. */
static bool valid_page_size(const char *s)
{
        size_t n = strspn(s, "0123456789");
        return n > 0 && s[0] != '0' &&
               (strcmp(s + n, "KB") == 0 || strcmp(s + n, "MB") == 0 ||
                strcmp(s + n, "GB") == 0);
}

int cg_v1_plan(const struct oci_resources *res, const struct cg_current *cur, bool creating,
               struct cg_plan *ret, struct cu_error **err)
{
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        int r;

        if (res->unified && res->unified[0])
                return cu_error_setx(err, EOPNOTSUPP,
                                     "linux.resources.unified requires cgroup v2");

        /* cpuset before anything else: tasks cannot run without cpus and mems. */
        r = plan_cpu(res, &p);
        if (r < 0)
                return cu_error_set(err, -r, "planning cgroup writes");
        if (creating || res->n_devices > 0) {
                r = plan_devices(res, &p);
                if (r < 0)
                        return cu_error_set(err, -r, "planning cgroup writes");
        }
        r = plan_memory(res, cur, creating, &p, err);
        if (r == -ENOMEM)
                return cu_error_set(err, ENOMEM, "planning cgroup writes");
        if (r < 0)
                return r;
        if (res->has_pids_limit) {
                if (res->pids_limit > 0)
                        r = cg_plan_add(&p, "pids", NULL, "pids.max", NULL, 0, "%" PRId64,
                                        res->pids_limit);
                else
                        r = cg_plan_add(&p, "pids", NULL, "pids.max", NULL, 0, "max");
                if (r < 0)
                        return cu_error_set(err, ENOMEM, "planning cgroup writes");
        }
        r = plan_blkio(res, &p);
        if (r < 0)
                return cu_error_set(err, -r, "planning cgroup writes");
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct oci_hugepage_limit *h = &res->hugepage_limits[i];
                if (!valid_page_size(h->page_size))
                        return cu_error_setx(err, EINVAL, "invalid hugepage size \"%s\"",
                                             h->page_size);
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "hugetlb.%s.limit_in_bytes", h->page_size) < 0 ||
                    cg_plan_add(&p, "hugetlb", NULL, file, NULL, 0, "%" PRIu64, h->limit) < 0)
                        return cu_error_set(err, ENOMEM, "planning cgroup writes");
        }

        *ret = p;
        p = (struct cg_plan){ 0 };
        return 0;
}

/* ---- operations ---- */

static char *hier_dir(const struct cgroup *cg, const struct cg_hierarchy *h)
{
        return cg_path_join(h->dir, cg->path);
}

/* New cpuset cgroups start with empty cpus/mems, and nothing can join them: copy the
 * parent's value into every level of path that is still empty. */
static int cpuset_init(const struct cgroup *cg, const struct cg_hierarchy *h,
                       struct cu_error **err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        _cleanup_free_ char *parent = strdup(h->dir);
        if (!parent)
                return cu_error_set(err, ENOMEM, "strdup");

        for (const char *s = cg->path; *s;) {
                while (*s == '/')
                        s++;
                size_t n = strcspn(s, "/");
                _cleanup_free_ char *comp = strndup(s, n);
                _cleanup_free_ char *dir = comp ? cg_path_join(parent, comp) : NULL;
                if (!dir)
                        return cu_error_set(err, ENOMEM, "asprintf");
                s += n;
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        _cleanup_free_ char *cur = NULL, *pv = NULL;
                        int r = cg_read(cg, dir, files[i], &cur);
                        if (r == -ENOENT && cg->fake)
                                continue;
                        if (r < 0)
                                return cu_error_set(err, -r, "reading %s/%s", dir, files[i]);
                        if (*cur)
                                continue;
                        r = cg_read(cg, parent, files[i], &pv);
                        if (r < 0)
                                return cu_error_set(err, -r, "reading %s/%s", parent,
                                                    files[i]);
                        r = cg_write(cg, dir, files[i], pv, err);
                        if (r < 0)
                                return r;
                }
                free(parent);
                parent = TAKE_PTR(dir);
        }
        return 0;
}

static int v1_create(struct cgroup *cg, const struct oci_resources *res, struct cu_error **err)
{
        for (size_t i = 0; i < cg->n_hier; i++) {
                const struct cg_hierarchy *h = &cg->hier[i];
                _cleanup_free_ char *dir = hier_dir(cg, h);
                if (!dir)
                        return cu_error_set(err, ENOMEM, "asprintf");
                int r = cg_mkdir_p(dir, err);
                if (r < 0)
                        return r;
                if (strv_contains(h->controllers, "cpuset")) {
                        r = cpuset_init(cg, h, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int v1_apply(struct cgroup *cg, const struct oci_resources *res, bool creating,
                    struct cu_error **err)
{
        struct cg_current cur;
        cg_current_init(&cur);
        const struct cg_hierarchy *mem = cg_find_hierarchy(cg, "memory");
        if (mem) {
                _cleanup_free_ char *dir = hier_dir(cg, mem);
                uint64_t v = 0;
                if (dir && cg_read_u64(cg, dir, "memory.limit_in_bytes", &v) >= 0 &&
                    v < V1_UNLIMITED_THRESHOLD)
                        cur.memory_limit = (int64_t) v;
        }

        _cleanup_(cg_plan_done) struct cg_plan plan = { 0 };
        int r = cg_v1_plan(res, &cur, creating, &plan, err);
        if (r < 0)
                return r;
        return cg_plan_apply(cg, &plan, err);
}

static int v1_add_pid(struct cgroup *cg, pid_t pid, struct cu_error **err)
{
        char buf[32];
        snprintf(buf, sizeof buf, "%d", (int) pid);
        for (size_t i = 0; i < cg->n_hier; i++) {
                const struct cg_hierarchy *h = &cg->hier[i];
                _cleanup_free_ char *dir = hier_dir(cg, h);
                _cleanup_error_ struct cu_error *e = NULL;
                if (!dir)
                        return cu_error_set(err, ENOMEM, "asprintf");
                int r = cg_write(cg, dir, "cgroup.procs", buf, &e);
                if (r < 0 && h->unified) {
                        /* The hybrid unified tree only tracks: not fatal. */
                        log_debug("cgroup: %s, ignoring", cu_error_msg(e));
                        continue;
                }
                if (r < 0) {
                        if (err) {
                                cu_error_free(*err);
                                *err = TAKE_PTR(e);
                        }
                        return cu_error_prefix(err, r, "joining %s", dir);
                }
        }
        return 0;
}

static int v1_procs_dir(const struct cgroup *cg, char **ret, struct cu_error **err)
{
        static const char *const order[] = { "pids", "freezer", "memory", "cpu", "devices",
                                             "name=systemd" };
        const struct cg_hierarchy *h = NULL;
        for (size_t i = 0; i < ELEMENTSOF(order) && !h; i++)
                h = cg_find_hierarchy(cg, order[i]);
        for (size_t i = 0; i < cg->n_hier && !h; i++)
                h = &cg->hier[i];
        if (!h)
                return cu_error_setx(err, ENOENT, "no cgroup hierarchy mounted under %s",
                                     cg->root);
        *ret = hier_dir(cg, h);
        return *ret ? 0 : cu_error_set(err, ENOMEM, "asprintf");
}

static int v1_kill(struct cgroup *cg, int sig, struct cu_error **err)
{
        return -EOPNOTSUPP;
}

static int freezer_dir(const struct cgroup *cg, char **ret, struct cu_error **err)
{
        const struct cg_hierarchy *h = cg_find_hierarchy(cg, "freezer");
        if (!h)
                return cu_error_setx(err, EOPNOTSUPP, "the freezer cgroup is not mounted");
        *ret = hier_dir(cg, h);
        return *ret ? 0 : cu_error_set(err, ENOMEM, "asprintf");
}

static int v1_freeze(struct cgroup *cg, bool frozen, struct cu_error **err)
{
        const char *want = frozen ? "FROZEN" : "THAWED";
        _cleanup_free_ char *dir = NULL;
        int r = freezer_dir(cg, &dir, err);
        if (r < 0)
                return r;
        /* FREEZING can last a while (tasks in uninterruptible sleep): rewrite now and
         * then, and give up after about three seconds. */
        for (unsigned i = 0; i < 320; i++) {
                if (i % 50 == 0) {
                        r = cg_write(cg, dir, "freezer.state", want, err);
                        if (r < 0)
                                return r;
                        if (cg->fake)
                                return 0;
                }
                _cleanup_free_ char *state = NULL;
                r = cg_read(cg, dir, "freezer.state", &state);
                if (r < 0)
                        return cu_error_set(err, -r, "reading %s/freezer.state", dir);
                if (strcmp(state, want) == 0)
                        return 0;
                cg_poll_sleep(i);
        }
        if (frozen)
                (void) cg_write(cg, dir, "freezer.state", "THAWED", NULL);
        return cu_error_setx(err, EBUSY, "timed out %s %s", frozen ? "freezing" : "thawing",
                             dir);
}

static int v1_is_frozen(struct cgroup *cg, bool *ret, struct cu_error **err)
{
        _cleanup_free_ char *dir = NULL, *state = NULL;
        if (!cg_find_hierarchy(cg, "freezer")) {
                *ret = false;
                return 0;
        }
        int r = freezer_dir(cg, &dir, err);
        if (r < 0)
                return r;
        r = cg_read(cg, dir, "freezer.state", &state);
        if (r == -ENOENT && cg->fake) {
                *ret = false;
                return 0;
        }
        if (r < 0)
                return cu_error_set(err, -r, "reading %s/freezer.state", dir);
        *ret = strcmp(state, "FROZEN") == 0;
        return 0;
}

static int v1_destroy(struct cgroup *cg, struct cu_error **err)
{
        int ret = 0;
        for (size_t i = 0; i < cg->n_hier; i++) {
                _cleanup_free_ char *dir = hier_dir(cg, &cg->hier[i]);
                if (!dir)
                        return cu_error_set(err, ENOMEM, "asprintf");
                /* Keep going: leave as little behind as possible; report the first error. */
                int r = cg_rmdir_tree(cg, dir, ret < 0 ? NULL : err);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

static int v1_stats(struct cgroup *cg, struct cgroup_stats *st, struct cu_error **err)
{
        const struct cg_hierarchy *h;
        if ((h = cg_find_hierarchy(cg, "memory"))) {
                _cleanup_free_ char *dir = hier_dir(cg, h);
                if (dir && cg_read_u64(cg, dir, "memory.usage_in_bytes", &st->memory_usage) >= 0 &&
                    cg_read_u64(cg, dir, "memory.limit_in_bytes", &st->memory_limit) >= 0) {
                        st->has_memory = true;
                        if (st->memory_limit >= V1_UNLIMITED_THRESHOLD)
                                st->memory_limit = CGROUP_UNLIMITED;
                }
        }
        if ((h = cg_find_hierarchy(cg, "pids"))) {
                _cleanup_free_ char *dir = hier_dir(cg, h);
                st->has_pids = dir &&
                               cg_read_u64(cg, dir, "pids.current", &st->pids_current) >= 0 &&
                               cg_read_u64(cg, dir, "pids.max", &st->pids_limit) >= 0;
        }
        if ((h = cg_find_hierarchy(cg, "cpuacct"))) {
                _cleanup_free_ char *dir = hier_dir(cg, h);
                st->has_cpu = dir && cg_read_u64(cg, dir, "cpuacct.usage", &st->cpu_usage_ns) >= 0;
        }
        return 0;
}

const struct cgroup_ops cg_v1_ops = {
        .create = v1_create,
        .apply = v1_apply,
        .add_pid = v1_add_pid,
        .procs_dir = v1_procs_dir,
        .kill = v1_kill,
        .freeze = v1_freeze,
        .is_frozen = v1_is_frozen,
        .destroy = v1_destroy,
        .stats = v1_stats,
};
