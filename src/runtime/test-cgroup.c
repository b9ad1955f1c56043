/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup manager tests: pure path rules, planners and BPF generation (with a small
 * interpreter checked against a reference), fake v1/v2 trees in a temp dir, and
 * real cgroups on this machine when root (v1 hybrid, plus a real cgroup2 tree rooted
 * at a directory of the unified hierarchy).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/cgroup-bpf.h"
#include "runtime/cgroup-internal.h"
#include "util/fileio.h"
#include "util/strv.h"

/* ---- helpers ---- */

/* "dir/file" (aborts the test on ENOMEM). */
static char *pjoin(const char *dir, const char *file)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, file) >= 0);
        return p;
}

static void put(const char *dir, const char *file, const char *content)
{
        _cleanup_free_ char *p = pjoin(dir, file);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, content, strlen(content)), 0);
        close(fd);
}

/* Contents of dir/file, or NULL.  Caller frees. */
static char *get(const char *dir, const char *file)
{
        _cleanup_free_ char *p = pjoin(dir, file);
        char *s = NULL;
        if (read_full_file_at(AT_FDCWD, p, &s, NULL) < 0)
                return NULL;
        return s;
}

static void assert_file(const char *dir, const char *file, const char *want)
{
        _cleanup_free_ char *s = get(dir, file);
        if (!s)
                fail_msg("%s/%s: missing", dir, file);
        if (strcmp(s, want) != 0)
                fail_msg("%s/%s: got \"%s\", want \"%s\"", dir, file, s, want);
}

static bool exists(const char *dir, const char *file)
{
        _cleanup_free_ char *p = pjoin(dir, file);
        return access(p, F_OK) == 0;
}

static char *tmpdir(void)
{
        char *d = strdup("/tmp/cuttle-test-cgroup-XXXXXX");
        assert_non_null(d);
        assert_non_null(mkdtemp(d));
        return d;
}

static void mkdirs(const char *base, const char *rel)
{
        _cleanup_free_ char *p = pjoin(base, rel);
        assert_int_equal(mkdir_p(p, 0755), 0);
}

/* Joined "controller|dir|file=value|flags" lines, for exact plan checks. */
static char *plan_text(const struct cg_plan *p)
{
        char *out = strdup("");
        for (size_t i = 0; i < p->n_writes; i++) {
                const struct cg_write *w = &p->writes[i];
                char *n = NULL;
                assert_true(asprintf(&n, "%s%s%s%s%s%s=%s%s%s\n", out,
                                     w->controller ? w->controller : "",
                                     w->controller ? ":" : "", w->dir ? w->dir : "",
                                     w->dir ? ":" : "", w->file, w->value,
                                     w->flags & CG_W_OPTIONAL ? " ?" : "",
                                     w->flags & CG_W_BEST_EFFORT ? " ~" : "") >= 0);
                free(out);
                out = n;
        }
        return out;
}

static void assert_plan(const struct cg_plan *p, const char *want)
{
        _cleanup_free_ char *got = plan_text(p);
        if (strcmp(got, want) != 0)
                fail_msg("plan:\n%s\nwant:\n%s", got, want);
}

static const char *msg(const struct cu_error *e)
{
        return cu_error_msg(e);
}

/* ---- path rules ---- */

static void check_path(const char *in, bool systemd, int version, const char *self,
                       const char *want)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *got = NULL;
        int r = cg_resolve_path(in, "ctr1", systemd, version, self, &got, &err);
        if (r < 0)
                fail_msg("\"%s\": %s", in ? in : "(null)", msg(err));
        if (strcmp(got, want) != 0)
                fail_msg("\"%s\": got \"%s\", want \"%s\"", in ? in : "(null)", got, want);
}

static void check_path_error(const char *in, bool systemd, const char *want_msg)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *got = NULL;
        int r = cg_resolve_path(in, "ctr1", systemd, 2, "0::/\n", &got, &err);
        if (r >= 0)
                fail_msg("\"%s\": accepted as \"%s\"", in, got);
        assert_int_equal(r, -EINVAL);
        assert_null(got);
        if (want_msg && strcmp(msg(err), want_msg) != 0)
                fail_msg("\"%s\": message \"%s\", want \"%s\"", in, msg(err), want_msg);
}

static void test_paths(void **state)
{
        const char *v2self = "0::/user.slice/user-0.slice/session-1.scope\n";
        const char *v1self = "4:memory:/mem/x\n9:name=systemd:/sys/unit\n0::/uni\n";

        check_path(NULL, false, 2, NULL, "/cuttle/ctr1");
        check_path("", false, 1, NULL, "/cuttle/ctr1");
        check_path(NULL, true, 2, NULL, "/system.slice/cuttle-ctr1.scope");
        check_path("/a//b/./c/", false, 2, NULL, "/a/b/c");
        check_path("/libpod_parent/libpod-abc", false, 1, NULL, "/libpod_parent/libpod-abc");
        /* relative: to our own cgroup */
        check_path("a/b", false, 2, v2self, "/user.slice/user-0.slice/session-1.scope/a/b");
        check_path("a/b", false, 1, v1self, "/sys/unit/a/b");
        check_path("a", false, 1, "4:memory:/mem/x\n3:cpu,cpuacct:/c\n", "/mem/x/a");
        check_path("a", false, 2, "0::/\n", "/a");
        check_path("x:y", false, 2, "0::/p\n", "/p/x:y");
        /* systemd syntax */
        check_path("machine.slice:libpod:abc", false, 2, NULL, "/machine.slice/libpod-abc.scope");
        check_path("machine.slice:libpod:abc", true, 1, NULL, "/machine.slice/libpod-abc.scope");
        check_path("user-1000.slice:p:n", true, 2, NULL, "/user.slice/user-1000.slice/p-n.scope");
        check_path("a-b-c.slice::x", true, 2, NULL, "/a.slice/a-b.slice/a-b-c.slice/x.scope");
        check_path("-.slice:p:n", true, 2, NULL, "/p-n.scope");
        check_path(":p:n", true, 2, NULL, "/system.slice/p-n.scope");
        check_path("system.slice:p:", true, 2, NULL, "/system.slice/p-ctr1.scope");
        check_path("system.slice:p:sub.slice", true, 2, NULL, "/system.slice/sub.slice");
        check_path("/abs/path", true, 2, NULL, "/abs/path");

        check_path_error("/a/../b", false, "invalid cgroupsPath \"/a/../b\": contains \"..\"");
        check_path_error("/", false, "invalid cgroupsPath \"/\": refers to the root cgroup");
        check_path_error("a--b.slice:p:n", true, NULL);
        check_path_error("nope.slice/x:p:n", true, NULL);
        check_path_error("foo", true,
                         "expected cgroupsPath of the form \"slice:prefix:name\", got \"foo\"");
        check_path_error("foo.service:p:n", true, NULL);
        check_path_error("a:b:c:d", true, NULL);

        _cleanup_error_ struct cu_error *err = NULL;
        char *got = NULL;
        assert_int_equal(cg_resolve_path(NULL, "a/b", false, 2, NULL, &got, &err), -EINVAL);
        assert_string_equal(msg(err), "invalid container id \"a/b\"");
}

static void test_self_path(void **state)
{
        const char *t = "12:pids:/p\n4:cpu,cpuacct:/c\n1:name=systemd:/s\n0::/u\n";
        char *s = NULL;
        assert_int_equal(cg_self_path(t, "cpuacct", &s), 0);
        assert_string_equal(s, "/c");
        free(s);
        assert_int_equal(cg_self_path(t, "", &s), 0);
        assert_string_equal(s, "/u");
        free(s);
        assert_int_equal(cg_self_path(t, NULL, &s), 0);
        assert_string_equal(s, "/s");
        free(s);
        assert_int_equal(cg_self_path("3:memory:/m\n", NULL, &s), 0);
        assert_string_equal(s, "/m");
        free(s);
        assert_int_equal(cg_self_path(t, "memory", &s), -ENOENT);
        assert_int_equal(cg_self_path("0::/x\n", NULL, &s), -ENOENT);
}

static void test_mountinfo(void **state)
{
        const char *mi =
                "21 1 0:20 / /sys rw,nosuid - sysfs sysfs rw\n"
                "25 21 0:22 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
                "26 25 0:23 / /sys/fs/cgroup/unified rw shared:6 - cgroup2 cgroup2 rw,nsdelegate\n"
                "27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
                "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw shared:11 - cgroup cgroup "
                "rw,cpu,cpuacct\n"
                "31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                "32 25 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup "
                "rw,cpuset,clone_children,release_agent=/x\n"
                "33 25 0:30 / /sys/fs/cgroup/net\\040x rw - cgroup cgroup rw,net_cls\n"
                "34 31 0:28 /a /sys/fs/cgroup/memory/a rw - cgroup cgroup rw,memory\n"
                "35 1 0:28 / /other/memory rw - cgroup cgroup rw,memory\n";
        char *known[] = { "cpu", "cpuacct", "memory", "cpuset", "net_cls", NULL };
        struct cg_hierarchy *h = NULL;
        size_t n = 0;
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(cg_parse_mountinfo(mi, "/sys/fs/cgroup/", known, &h, &n, &err), 0);
        assert_int_equal(n, 6);
        assert_string_equal(h[0].dir, "/sys/fs/cgroup/unified");
        assert_true(h[0].unified);
        assert_int_equal(strv_length(h[0].controllers), 0);
        assert_string_equal(h[1].dir, "/sys/fs/cgroup/systemd");
        assert_string_equal(h[1].controllers[0], "name=systemd");
        assert_int_equal(strv_length(h[1].controllers), 1);
        assert_string_equal(h[2].dir, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(h[2].controllers[0], "cpu");
        assert_string_equal(h[2].controllers[1], "cpuacct");
        assert_int_equal(strv_length(h[2].controllers), 2);
        assert_false(h[2].unified);
        assert_string_equal(h[3].controllers[0], "memory");
        assert_int_equal(strv_length(h[4].controllers), 1);
        assert_string_equal(h[5].dir, "/sys/fs/cgroup/net x");
        cg_hierarchies_free(h, n);
}

/* ---- planners ---- */

static struct oci_device_cgroup dev(bool allow, char type, int64_t maj, int64_t min,
                                    const char *acc)
{
        return (struct oci_device_cgroup){ .allow = allow, .type = type, .major = maj,
                                           .minor = min, .access = (char *) acc };
}

static const char *default_devices_v1 =
        "devices:devices.allow=c *:* m\n"
        "devices:devices.allow=b *:* m\n"
        "devices:devices.allow=c 1:3 rwm\n"
        "devices:devices.allow=c 1:5 rwm\n"
        "devices:devices.allow=c 1:7 rwm\n"
        "devices:devices.allow=c 1:8 rwm\n"
        "devices:devices.allow=c 1:9 rwm\n"
        "devices:devices.allow=c 5:0 rwm\n"
        "devices:devices.allow=c 5:1 rwm\n"
        "devices:devices.allow=c 5:2 rwm\n"
        "devices:devices.allow=c 136:* rwm\n";

static void test_v1_plan(void **state)
{
        struct oci_device_cgroup devs[] = { dev(false, 'a', -1, -1, "rwm"),
                                            dev(true, 'c', 10, 200, "rw"),
                                            dev(false, 'b', 8, -1, NULL) };
        struct oci_weight_device wd[] = { { .major = 8, .minor = 0, .has_weight = true,
                                            .weight = 300, .has_leaf_weight = true,
                                            .leaf_weight = 20 } };
        struct oci_throttle_device rbps[] = { { 8, 0, 1048576 } };
        struct oci_throttle_device wiops[] = { { 8, 16, 100 } };
        struct oci_hugepage_limit huge[] = { { (char *) "2MB", 4194304 } };
        struct oci_resources res = {
                .devices = devs, .n_devices = ELEMENTSOF(devs),
                .has_memory_limit = true, .memory_limit = 1073741824,
                .has_memory_reservation = true, .memory_reservation = 536870912,
                .has_memory_swap = true, .memory_swap = 2147483648,
                .has_memory_kernel = true, .memory_kernel = 1000,
                .has_memory_kernel_tcp = true, .memory_kernel_tcp = 2000,
                .has_memory_swappiness = true, .memory_swappiness = 60,
                .has_disable_oom_killer = true, .disable_oom_killer = true,
                .has_cpu_shares = true, .cpu_shares = 512,
                .has_cpu_quota = true, .cpu_quota = 50000,
                .has_cpu_period = true, .cpu_period = 100000,
                .has_cpu_burst = true, .cpu_burst = 1000,
                .has_cpu_rt_runtime = true, .cpu_rt_runtime = 950000,
                .has_cpu_rt_period = true, .cpu_rt_period = 1000000,
                .has_cpu_idle = true, .cpu_idle = 0,
                .cpu_cpus = (char *) "0-1", .cpu_mems = (char *) "0",
                .has_pids_limit = true, .pids_limit = 100,
                .has_blkio_weight = true, .blkio_weight = 500,
                .has_blkio_leaf_weight = true, .blkio_leaf_weight = 50,
                .blkio_weight_device = wd, .n_blkio_weight_device = 1,
                .hugepage_limits = huge, .n_hugepage_limits = 1,
        };
        res.blkio_throttle[0] = rbps;
        res.n_blkio_throttle[0] = 1;
        res.blkio_throttle[3] = wiops;
        res.n_blkio_throttle[3] = 1;

        struct cg_current cur;
        cg_current_init(&cur);
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(cg_v1_plan(&res, &cur, true, &p, &err), 0);

        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want,
                             "cpuset:cpuset.cpus=0-1\n"
                             "cpuset:cpuset.mems=0\n"
                             "cpu:cpu.shares=512\n"
                             "cpu:cpu.cfs_period_us=100000\n"
                             "cpu:cpu.cfs_quota_us=50000\n"
                             "cpu:cpu.cfs_burst_us=1000\n"
                             "cpu:cpu.rt_period_us=1000000\n"
                             "cpu:cpu.rt_runtime_us=950000\n"
                             "cpu:cpu.idle=0\n"
                             "devices:devices.deny=a\n"
                             "devices:devices.deny=a\n"
                             "devices:devices.allow=c 10:200 rw\n"
                             "devices:devices.deny=b 8:* rwm\n"
                             "%s"
                             /* current limit unknown (unlimited): lower the limit first */
                             "memory:memory.limit_in_bytes=1073741824\n"
                             "memory:memory.memsw.limit_in_bytes=2147483648 ?\n"
                             "memory:memory.soft_limit_in_bytes=536870912\n"
                             "memory:memory.kmem.limit_in_bytes=1000 ? ~\n"
                             "memory:memory.kmem.tcp.limit_in_bytes=2000 ?\n"
                             "memory:memory.swappiness=60\n"
                             "memory:memory.oom_control=1\n"
                             "pids:pids.max=100\n"
                             "blkio:blkio.weight=500\n"
                             "blkio:blkio.leaf_weight=50 ?\n"
                             "blkio:blkio.weight_device=8:0 300\n"
                             "blkio:blkio.leaf_weight_device=8:0 20 ?\n"
                             "blkio:blkio.throttle.read_bps_device=8:0 1048576\n"
                             "blkio:blkio.throttle.write_iops_device=8:16 100\n"
                             "hugetlb:hugetlb.2MB.limit_in_bytes=4194304\n",
                             default_devices_v1) >= 0);
        assert_plan(&p, want);
        bool found = false;
        for (size_t i = 0; i < p.n_writes; i++)
                if (strcmp(p.writes[i].file, "blkio.weight") == 0) {
                        assert_non_null(p.writes[i].alt_file);
                        assert_string_equal(p.writes[i].alt_file, "blkio.bfq.weight");
                        found = true;
                }
        assert_true(found);
        assert_false(p.has_dev_prog);
}

static void plan_v1_memory(int64_t cur_limit, bool has_limit, int64_t limit, bool has_swap,
                           int64_t swap, const char *want)
{
        struct oci_resources res = { .has_memory_limit = has_limit, .memory_limit = limit,
                                     .has_memory_swap = has_swap, .memory_swap = swap };
        struct cg_current cur;
        cg_current_init(&cur);
        cur.memory_limit = cur_limit;
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        if (cg_v1_plan(&res, &cur, false, &p, &err) < 0)
                fail_msg("%s", msg(err));
        assert_plan(&p, want);
}

static void test_v1_memory_order(void **state)
{
        /* raising above the current limit: memsw first */
        plan_v1_memory(50, true, 100, true, 200,
                       "memory:memory.memsw.limit_in_bytes=200 ?\n"
                       "memory:memory.limit_in_bytes=100\n");
        /* memsw below the current limit: the limit first */
        plan_v1_memory(300, true, 100, true, 200,
                       "memory:memory.limit_in_bytes=100\n"
                       "memory:memory.memsw.limit_in_bytes=200 ?\n");
        /* unlimited: memsw first, and -1 alone means both */
        plan_v1_memory(300, true, -1, false, 0,
                       "memory:memory.memsw.limit_in_bytes=-1 ?\n"
                       "memory:memory.limit_in_bytes=-1\n");
        plan_v1_memory(-1, true, 100, true, -1,
                       "memory:memory.memsw.limit_in_bytes=-1 ?\n"
                       "memory:memory.limit_in_bytes=100\n");
        /* 0 means unset; swap alone */
        plan_v1_memory(-1, true, 0, false, 0, "");
        plan_v1_memory(100, false, 0, true, 400, "memory:memory.memsw.limit_in_bytes=400 ?\n");

        struct oci_resources res = { .has_memory_limit = true, .memory_limit = 300,
                                     .has_memory_swap = true, .memory_swap = 200 };
        struct cg_current cur;
        cg_current_init(&cur);
        struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(cg_v1_plan(&res, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "memory+swap limit (200) should be greater than or equal "
                                      "to the memory limit (300)");
        cu_error_clear(&err);

        struct oci_resources sw = { .has_memory_swappiness = true, .memory_swappiness = 101 };
        assert_int_equal(cg_v1_plan(&sw, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "invalid memory swappiness 101: want 0-100");
        cu_error_clear(&err);
        sw.memory_swappiness = UINT64_MAX; /* -1: unset */
        assert_int_equal(cg_v1_plan(&sw, &cur, false, &p, &err), 0);
        assert_int_equal(p.n_writes, 0);
        cg_plan_done(&p);

        char *uni[] = { "memory.high", "1000", NULL };
        struct oci_resources u = { .unified = uni };
        assert_int_equal(cg_v1_plan(&u, &cur, false, &p, &err), -EOPNOTSUPP);
        assert_string_equal(msg(err), "linux.resources.unified requires cgroup v2");
        cu_error_clear(&err);

        struct oci_hugepage_limit bad[] = { { (char *) "2M", 1 } };
        struct oci_resources h = { .hugepage_limits = bad, .n_hugepage_limits = 1 };
        assert_int_equal(cg_v1_plan(&h, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "invalid hugepage size \"2M\"");
}

static void test_v1_plan_devices(void **state)
{
        struct cg_current cur;
        cg_current_init(&cur);
        struct oci_resources none = { .has_pids_limit = true, .pids_limit = -1 };
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;

        /* update without rules: the device policy stays */
        assert_int_equal(cg_v1_plan(&none, &cur, false, &p, &err), 0);
        assert_plan(&p, "pids:pids.max=max\n");
        cg_plan_done(&p);

        /* create without rules: deny all + defaults */
        none.pids_limit = 0;
        assert_int_equal(cg_v1_plan(&none, &cur, true, &p, &err), 0);
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "devices:devices.deny=a\n%spids:pids.max=max\n",
                             default_devices_v1) >= 0);
        assert_plan(&p, want);
}

static void test_v2_plan(void **state)
{
        struct oci_weight_device wd[] = { { .major = 8, .minor = 0, .has_weight = true,
                                            .weight = 1000 } };
        struct oci_throttle_device rbps[] = { { 8, 0, 1048576 } };
        struct oci_throttle_device wbps[] = { { 8, 0, 0 } };
        struct oci_hugepage_limit huge[] = { { (char *) "1GB", 1073741824 } };
        char *uni[] = { "memory.high", "900000000", "pids.max", "7", NULL };
        struct oci_resources res = {
                .has_memory_limit = true, .memory_limit = 104857600,
                .has_memory_reservation = true, .memory_reservation = 52428800,
                .has_memory_swap = true, .memory_swap = 314572800,
                .has_memory_swappiness = true, .memory_swappiness = 10,
                .has_memory_kernel = true, .memory_kernel = 1,
                .has_disable_oom_killer = true, .disable_oom_killer = true,
                .has_cpu_shares = true, .cpu_shares = 1024,
                .has_cpu_quota = true, .cpu_quota = 50000,
                .has_cpu_burst = true, .cpu_burst = 10,
                .has_cpu_idle = true, .cpu_idle = 1,
                .cpu_cpus = (char *) "0", .cpu_mems = (char *) "0",
                .has_pids_limit = true, .pids_limit = 0,
                .has_blkio_weight = true, .blkio_weight = 500,
                .has_blkio_leaf_weight = true, .blkio_leaf_weight = 50,
                .blkio_weight_device = wd, .n_blkio_weight_device = 1,
                .hugepage_limits = huge, .n_hugepage_limits = 1,
                .unified = uni,
        };
        res.blkio_throttle[0] = rbps;
        res.n_blkio_throttle[0] = 1;
        res.blkio_throttle[1] = wbps;
        res.n_blkio_throttle[1] = 1;

        struct cg_current cur;
        cg_current_init(&cur);
        cur.cpu_period = 200000;
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        if (cg_v2_plan(&res, &cur, true, &p, &err) < 0)
                fail_msg("%s", msg(err));
        assert_plan(&p, "cpuset.cpus=0\n"
                        "cpuset.mems=0\n"
                        "cpu.weight=39\n"
                        "cpu.max=50000 200000\n"
                        "cpu.max.burst=10\n"
                        "cpu.idle=1\n"
                        "memory.swap.max=209715200 ?\n"
                        "memory.max=104857600\n"
                        "memory.low=52428800\n"
                        "pids.max=max\n"
                        "io.weight=default 4950\n"
                        "io.weight=8:0 10000\n"
                        "io.max=8:0 rbps=1048576\n"
                        "io.max=8:0 wbps=max\n"
                        "hugetlb.1GB.max=1073741824\n"
                        "hugetlb.1GB.rsvd.max=1073741824 ?\n"
                        "memory.high=900000000\n"
                        "pids.max=7\n");
        assert_true(p.has_dev_prog);
        assert_true(p.n_dev_prog > 8);
        cg_plan_done(&p);

        /* conversions at the edges; period alone keeps the current quota */
        struct oci_resources edge = { .has_cpu_shares = true, .cpu_shares = 2,
                                      .has_cpu_period = true, .cpu_period = 250000,
                                      .has_memory_limit = true, .memory_limit = -1,
                                      .has_blkio_weight = true, .blkio_weight = 10 };
        cg_current_init(&cur);
        assert_int_equal(cg_v2_plan(&edge, &cur, false, &p, &err), 0);
        assert_plan(&p, "cpu.weight=1\ncpu.max=max 250000\nmemory.swap.max=max ?\n"
                        "memory.max=max\nio.weight=default 1\n");
        assert_false(p.has_dev_prog);
        cg_plan_done(&p);
        edge = (struct oci_resources){ .has_cpu_shares = true, .cpu_shares = 262144,
                                       .has_cpu_quota = true, .cpu_quota = -1 };
        cur.cpu_quota = 1000;
        cur.cpu_period = 10000;
        assert_int_equal(cg_v2_plan(&edge, &cur, false, &p, &err), 0);
        assert_plan(&p, "cpu.weight=10000\ncpu.max=max 10000\n");
        cg_plan_done(&p);

        /* errors */
        struct oci_resources rt = { .has_cpu_rt_runtime = true, .cpu_rt_runtime = 1 };
        assert_int_equal(cg_v2_plan(&rt, &cur, false, &p, &err), -EOPNOTSUPP);
        assert_string_equal(msg(err), "realtime cpu limits are not supported on cgroup v2");
        cu_error_clear(&err);
        struct oci_resources sw = { .has_memory_swap = true, .memory_swap = 100 };
        assert_int_equal(cg_v2_plan(&sw, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "a memory+swap limit needs a memory limit");
        cu_error_clear(&err);
        struct oci_resources bw = { .has_blkio_weight = true, .blkio_weight = 5 };
        assert_int_equal(cg_v2_plan(&bw, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "invalid blkio weight 5: want 10-1000");
        cu_error_clear(&err);
        char *badkey[] = { "../cgroup.procs", "1", NULL };
        struct oci_resources bk = { .unified = badkey };
        assert_int_equal(cg_v2_plan(&bk, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err),
                            "linux.resources.unified: invalid key \"../cgroup.procs\"");
        cu_error_clear(&err);
        char *procs[] = { "cgroup.procs", "1", NULL };
        bk.unified = procs;
        assert_int_equal(cg_v2_plan(&bk, &cur, false, &p, &err), -EINVAL);
        cu_error_clear(&err);
        struct oci_device_cgroup bad[] = { dev(true, 'c', 1, 3, "rwx") };
        struct oci_resources bd = { .devices = bad, .n_devices = 1 };
        assert_int_equal(cg_v2_plan(&bd, &cur, false, &p, &err), -EINVAL);
        assert_string_equal(msg(err), "invalid device rule 0 (type 'c', 1:3, access \"rwx\")");
}

static void test_v2_controllers(void **state)
{
        char *available[] = { "cpuset", "cpu", "io", "memory", "pids", NULL };
        char *l0[] = { "cpu", "memory", NULL };
        char *l1[] = { NULL };
        char *l2[] = { "cpuset", "cpu", "io", "memory", "pids", NULL };
        char **enabled[] = { l0, l1, l2, NULL };
        char *needed[] = { "memory", "pids", NULL };
        _cleanup_(cg_plan_done) struct cg_plan p = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(cg_v2_plan_controllers("/a/b//c", available, enabled, needed, &p, &err),
                         0);
        assert_plan(&p, ":cgroup.subtree_control=+cpuset ~\n"
                        ":cgroup.subtree_control=+io ~\n"
                        ":cgroup.subtree_control=+pids\n"
                        "/a:cgroup.subtree_control=+cpuset ~\n"
                        "/a:cgroup.subtree_control=+cpu ~\n"
                        "/a:cgroup.subtree_control=+io ~\n"
                        "/a:cgroup.subtree_control=+memory\n"
                        "/a:cgroup.subtree_control=+pids\n");
        cg_plan_done(&p);

        char *missing[] = { "hugetlb", NULL };
        assert_int_equal(cg_v2_plan_controllers("/a", available, enabled, missing, &p, &err),
                         -EOPNOTSUPP);
        assert_string_equal(msg(err), "cgroup controller hugetlb is not available");

        char **need = NULL;
        char *uni[] = { "memory.high", "1", "cgroup.freeze", "0", "misc.max", "x", NULL };
        struct oci_resources res = { .has_pids_limit = true, .cpu_cpus = (char *) "0",
                                     .has_cpu_quota = true, .cpu_quota = 10, .unified = uni };
        assert_int_equal(cg_v2_needed_controllers(&res, &need), 0);
        assert_int_equal(strv_length(need), 5);
        assert_string_equal(need[0], "cpuset");
        assert_string_equal(need[1], "cpu");
        assert_string_equal(need[2], "pids");
        assert_string_equal(need[3], "memory");
        assert_string_equal(need[4], "misc");
        strv_free(need);
        assert_int_equal(cg_v2_needed_controllers(NULL, &need), 0);
        assert_int_equal(strv_length(need), 0);
        strv_free(need);
}

/* ---- BPF device program ---- */

/* Runs a generated program: only the instructions the generator emits. */
static int bpf_run(const struct bpf_insn *prog, size_t n, int type, int acc, uint32_t maj,
                   uint32_t min)
{
        struct bpf_cgroup_dev_ctx ctx = { .access_type = (uint32_t) (acc << 16 | type),
                                          .major = maj, .minor = min };
        uint64_t r[11] = { 0 };
        bool set[11] = { false };
        r[1] = (uint64_t) (uintptr_t) &ctx;
        set[1] = true;
        for (size_t pc = 0, steps = 0; steps < 100000; pc++, steps++) {
                if (pc >= n)
                        fail_msg("pc %zu out of the program (%zu insns)", pc, n);
                const struct bpf_insn *i = &prog[pc];
                uint64_t imm = (uint64_t) (int64_t) i->imm;
                if (i->code != (BPF_JMP | BPF_JA) && i->code != (BPF_JMP | BPF_EXIT) &&
                    i->code != (BPF_ALU64 | BPF_MOV | BPF_K) && !set[i->dst_reg] &&
                    i->code != (BPF_LDX | BPF_W | BPF_MEM) &&
                    i->code != (BPF_ALU64 | BPF_MOV | BPF_X))
                        fail_msg("insn %zu reads r%u before it is set", pc, i->dst_reg);
                switch (i->code) {
                case BPF_LDX | BPF_W | BPF_MEM: {
                        uint32_t v;
                        memcpy(&v, (char *) (uintptr_t) r[i->src_reg] + i->off, sizeof v);
                        r[i->dst_reg] = v;
                        set[i->dst_reg] = true;
                        break;
                }
                case BPF_ALU64 | BPF_MOV | BPF_X:
                        assert_true(set[i->src_reg]);
                        r[i->dst_reg] = r[i->src_reg];
                        set[i->dst_reg] = true;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        r[i->dst_reg] = imm;
                        set[i->dst_reg] = true;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                        r[i->dst_reg] &= imm;
                        break;
                case BPF_ALU64 | BPF_RSH | BPF_K:
                        r[i->dst_reg] >>= i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != imm)
                                pc += (size_t) (int64_t) i->off;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        if (r[i->dst_reg] & imm)
                                pc += (size_t) (int64_t) i->off;
                        break;
                case BPF_JMP | BPF_JA:
                        pc += (size_t) (int64_t) i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        assert_true(set[0]);
                        return (int) r[0];
                default:
                        fail_msg("unexpected opcode 0x%02x at %zu", i->code, pc);
                }
        }
        fail_msg("program does not terminate");
        return -1;
}

/* The OCI semantics, naively: per access bit, the last matching rule decides. */
static bool ref_allowed(const struct oci_device_cgroup *rules, size_t n, char type, int acc,
                        int64_t maj, int64_t min)
{
        static const struct {
                int bit;
                char c;
        } bits[] = { { BPF_DEVCG_ACC_MKNOD, 'm' }, { BPF_DEVCG_ACC_READ, 'r' },
                     { BPF_DEVCG_ACC_WRITE, 'w' } };
        for (size_t b = 0; b < ELEMENTSOF(bits); b++) {
                if (!(acc & bits[b].bit))
                        continue;
                bool ok = false;
                for (size_t i = 0; i < n; i++) {
                        const struct oci_device_cgroup *d = &rules[i];
                        const char *a = d->access ? d->access : "rwm";
                        if ((d->type == 'a' || d->type == type) &&
                            (d->major == -1 || d->major == maj) &&
                            (d->minor == -1 || d->minor == min) && strchr(a, bits[b].c))
                                ok = d->allow;
                }
                if (!ok)
                        return false;
        }
        return true;
}

static int bpf_check(const struct oci_device_cgroup *rules, size_t n, char type, int acc,
                     int maj, int min)
{
        struct bpf_insn *prog = NULL;
        size_t len = 0;
        assert_int_equal(cg_bpf_device_program(rules, n, &prog, &len, NULL), 0);
        int r = bpf_run(prog, len, type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, acc,
                        (uint32_t) maj, (uint32_t) min);
        free(prog);
        return r;
}

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_program(void **state)
{
        struct oci_device_cgroup rules[] = {
                dev(false, 'a', -1, -1, "rwm"), dev(true, 'c', 1, 3, "rwm"),
                dev(true, 'c', 136, -1, "rw"),  dev(false, 'c', 136, 5, "w"),
                dev(true, 'b', 8, 0, "r"),
        };
        size_t n = ELEMENTSOF(rules);
        assert_int_equal(bpf_check(rules, n, 'c', R | W, 1, 3), 1);
        assert_int_equal(bpf_check(rules, n, 'c', M, 1, 3), 1);
        assert_int_equal(bpf_check(rules, n, 'b', R, 1, 3), 0);
        assert_int_equal(bpf_check(rules, n, 'c', R, 1, 5), 0);
        assert_int_equal(bpf_check(rules, n, 'c', R | W, 136, 2), 1);
        assert_int_equal(bpf_check(rules, n, 'c', M, 136, 2), 0);
        assert_int_equal(bpf_check(rules, n, 'c', R, 136, 5), 1);
        assert_int_equal(bpf_check(rules, n, 'c', W, 136, 5), 0);
        assert_int_equal(bpf_check(rules, n, 'c', R | W, 136, 5), 0);
        assert_int_equal(bpf_check(rules, n, 'b', R, 8, 0), 1);
        assert_int_equal(bpf_check(rules, n, 'b', W, 8, 0), 0);

        /* access granted by two rules together */
        struct oci_device_cgroup split[] = { dev(true, 'c', 1, 3, "r"), dev(true, 'c', 1, 3, "w") };
        assert_int_equal(bpf_check(split, 2, 'c', R | W, 1, 3), 1);
        assert_int_equal(bpf_check(split, 2, 'c', R | W | M, 1, 3), 0);

        /* no rules: everything denied; shape: prologue, "r0 = 0; exit" */
        struct bpf_insn *prog = NULL;
        size_t len = 0;
        assert_int_equal(cg_bpf_device_program(NULL, 0, &prog, &len, NULL), 0);
        assert_int_equal(len, 8);
        assert_int_equal(prog[0].code, BPF_LDX | BPF_W | BPF_MEM);
        assert_int_equal(prog[6].code, BPF_ALU64 | BPF_MOV | BPF_K);
        assert_int_equal(prog[6].imm, 0);
        assert_int_equal(prog[7].code, BPF_JMP | BPF_EXIT);
        assert_int_equal(bpf_run(prog, len, BPF_DEVCG_DEV_CHAR, R, 1, 3), 0);
        free(prog);

        /* a rule for everything makes the earlier ones dead: not emitted */
        struct oci_device_cgroup all[] = { dev(true, 'c', 1, 3, "rwm"), dev(false, 'c', 1, 5, "r"),
                                           dev(true, 'a', -1, -1, NULL) };
        assert_int_equal(cg_bpf_device_program(all, 3, &prog, &len, NULL), 0);
        assert_int_equal(len, 6 + 4 + 2);
        assert_int_equal(bpf_run(prog, len, BPF_DEVCG_DEV_BLOCK, R | W | M, 7, 7), 1);
        free(prog);

        /* bad rules */
        _cleanup_error_ struct cu_error *err = NULL;
        struct oci_device_cgroup big[] = { dev(true, 'c', (int64_t) 1 << 32, 0, "r") };
        assert_int_equal(cg_bpf_device_program(big, 1, &prog, &len, &err), -EINVAL);
        cu_error_clear(&err);
        struct oci_device_cgroup typ[] = { dev(true, 'x', 1, 1, "r") };
        assert_int_equal(cg_bpf_device_program(typ, 1, &prog, &len, &err), -EINVAL);
}

/* Random rule sets against the reference semantics. */
static void test_bpf_random(void **state)
{
        static const char types[] = { 'a', 'c', 'b' };
        static const int64_t majors[] = { -1, 1, 5 }, minors[] = { -1, 3, 5 };
        static const char *const accs[] = { "r", "w", "m", "rw", "rm", "wm", "rwm" };
        unsigned seed = 12345;
        for (int round = 0; round < 400; round++) {
                struct oci_device_cgroup rules[6];
                size_t n = (size_t) (rand_r(&seed) % 7);
                for (size_t i = 0; i < n; i++)
                        rules[i] = dev(rand_r(&seed) % 2, types[rand_r(&seed) % 3],
                                       majors[rand_r(&seed) % 3], minors[rand_r(&seed) % 3],
                                       accs[rand_r(&seed) % 7]);
                struct bpf_insn *prog = NULL;
                size_t len = 0;
                assert_int_equal(cg_bpf_device_program(rules, n, &prog, &len, NULL), 0);
                for (int t = 0; t < 2; t++)
                        for (int maj = 0; maj < 3; maj++)
                                for (int min = 0; min < 3; min++)
                                        for (int acc = 1; acc < 8; acc++) {
                                                static const int mj[] = { 1, 5, 7 };
                                                static const int mn[] = { 3, 5, 9 };
                                                char ty = t ? 'b' : 'c';
                                                bool want = ref_allowed(rules, n, ty, acc,
                                                                        mj[maj], mn[min]);
                                                int got = bpf_run(
                                                        prog, len,
                                                        t ? BPF_DEVCG_DEV_BLOCK
                                                          : BPF_DEVCG_DEV_CHAR,
                                                        acc, (uint32_t) mj[maj],
                                                        (uint32_t) mn[min]);
                                                if (got != (int) want)
                                                        fail_msg("round %d: %c %d:%d acc %d: "
                                                                 "got %d want %d",
                                                                 round, ty, mj[maj], mn[min],
                                                                 acc, got, want);
                                        }
                free(prog);
        }
}

/* ---- fake trees ---- */

static void test_fake_v2(void **state)
{
        _cleanup_free_ char *root = tmpdir();
        put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(cgroup_new(root, 0, "/cuttle/t1", "t1", false, &cg, &err), 0);
        assert_int_equal(cg->version, 2);
        assert_true(cg->fake);
        assert_string_equal(cg->path, "/cuttle/t1");
        assert_string_equal(cg->root, root);

        struct oci_resources res = { .has_memory_limit = true, .memory_limit = 1048576,
                                     .has_memory_swap = true, .memory_swap = 2097152,
                                     .has_pids_limit = true, .pids_limit = 10,
                                     .has_cpu_quota = true, .cpu_quota = 1000 };
        pid_t me = getpid();
        if (cgroup_enter(cg, &res, me, &err) < 0)
                fail_msg("%s", msg(err));

        _cleanup_free_ char *mid = NULL, *leaf = NULL;
        assert_true(asprintf(&mid, "%s/cuttle", root) >= 0);
        assert_true(asprintf(&leaf, "%s/cuttle/t1", root) >= 0);
        const char *all = "+cpuset\n+cpu\n+io\n+memory\n+pids\n";
        assert_file(root, "cgroup.subtree_control", all);
        assert_file(mid, "cgroup.subtree_control", all);
        assert_false(exists(leaf, "cgroup.subtree_control"));
        assert_file(leaf, "memory.max", "1048576\n");
        assert_false(exists(leaf, "memory.swap.max")); /* optional and absent */
        assert_file(leaf, "pids.max", "10\n");
        assert_file(leaf, "cpu.max", "1000 100000\n");
        char buf[32];
        snprintf(buf, sizeof buf, "%d\n", (int) me);
        assert_file(leaf, "cgroup.procs", buf);

        _cleanup_free_ char *path = NULL;
        assert_int_equal(cgroup_controller_path(cg, "memory", &path, &err), 0);
        assert_string_equal(path, leaf);

        pid_t *pids = NULL;
        size_t n = 0;
        mkdirs(leaf, "sub");
        put(leaf, "sub/cgroup.procs", "4242\n");
        assert_int_equal(cgroup_get_pids(cg, &pids, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pids[0], me);
        assert_int_equal(pids[1], 4242);
        free(pids);

        /* update: subtree_control already complete; cpu.max keeps the current quota;
         * memory.swap.max now present */
        put(leaf, "memory.swap.max", "max\n");
        struct oci_resources upd = { .has_cpu_period = true, .cpu_period = 50000,
                                     .has_memory_limit = true, .memory_limit = 1048576,
                                     .has_memory_swap = true, .memory_swap = 3145728 };
        if (cgroup_update(cg, &upd, &err) < 0)
                fail_msg("%s", msg(err));
        assert_file(root, "cgroup.subtree_control", all);
        assert_file(leaf, "cpu.max", "1000 100000\n1000 50000\n");
        assert_file(leaf, "memory.swap.max", "max\n2097152\n");

        /* freeze / thaw */
        bool frozen = true;
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        assert_int_equal(cgroup_freeze(cg, true, &err), 0);
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_true(frozen);
        assert_int_equal(cgroup_freeze(cg, false, &err), 0);
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);

        /* kill: signal 0 goes pid by pid (frozen around it); SIGKILL uses cgroup.kill */
        put(leaf, "sub/cgroup.procs", "");
        assert_int_equal(cgroup_kill_all(cg, 0, &err), 0);
        assert_file(leaf, "cgroup.freeze", "1\n0\n1\n0\n");
        put(leaf, "cgroup.kill", "");
        assert_int_equal(cgroup_kill_all(cg, SIGKILL, &err), 0);
        assert_file(leaf, "cgroup.kill", "1\n");

        /* a failing write names the file and the value */
        char pm[4096];
        snprintf(pm, sizeof pm, "%s/pids.max", leaf);
        assert_int_equal(unlink(pm), 0);
        assert_int_equal(mkdir(pm, 0755), 0);
        struct oci_resources bad = { .has_pids_limit = true, .pids_limit = 10 };
        assert_int_equal(cgroup_update(cg, &bad, &err), -EISDIR);
        assert_string_equal(msg(err), "setting pids.max to 10: Is a directory");
        cu_error_clear(&err);

        /* a controller the root does not offer */
        struct oci_hugepage_limit huge[] = { { (char *) "2MB", 1 } };
        struct oci_resources h = { .hugepage_limits = huge, .n_hugepage_limits = 1 };
        assert_int_equal(cgroup_update(cg, &h, &err), -EOPNOTSUPP);
        assert_string_equal(msg(err), "cgroup controller hugetlb is not available");
        cu_error_clear(&err);

        assert_int_equal(cgroup_destroy(cg, &err), 0);
        assert_false(exists(root, "cuttle/t1"));
        assert_true(exists(root, "cuttle"));
        assert_int_equal(cgroup_destroy(cg, &err), 0); /* already gone: fine */

        struct cgroup_stats st;
        assert_int_equal(cgroup_stats(cg, &st, &err), 0);
        assert_false(st.has_memory);
        assert_int_equal(rm_rf(root), 0);
}

static void test_fake_v1(void **state)
{
        _cleanup_free_ char *root = tmpdir();
        const char *dirs[] = { "cpu,cpuacct", "cpuset", "memory", "pids", "freezer",
                               "devices", "blkio", "systemd", "unified" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                mkdirs(root, dirs[i]);
        /* cpuset: the parent has values, the pre-existing leaf is empty */
        _cleanup_free_ char *cs = NULL;
        assert_true(asprintf(&cs, "%s/cpuset", root) >= 0);
        put(cs, "cpuset.cpus", "0-3\n");
        put(cs, "cpuset.mems", "0\n");
        mkdirs(cs, "box/t2");
        put(cs, "box/cpuset.cpus", "0-1\n");
        put(cs, "box/cpuset.mems", "0\n");
        put(cs, "box/t2/cpuset.cpus", "");
        put(cs, "box/t2/cpuset.mems", "\n");

        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(cgroup_new(root, 0, "/box/t2", "t2", false, &cg, &err), 0);
        assert_int_equal(cg->version, 1);
        assert_true(cg->fake);
        assert_int_equal(cg->n_hier, ELEMENTSOF(dirs));

        struct oci_device_cgroup devs[] = { dev(true, 'c', 10, 229, "rwm") };
        struct oci_resources res = { .has_memory_limit = true, .memory_limit = 4096000,
                                     .has_memory_swap = true, .memory_swap = 8192000,
                                     .has_cpu_shares = true, .cpu_shares = 100,
                                     .has_pids_limit = true, .pids_limit = -1,
                                     .has_blkio_weight = true, .blkio_weight = 200,
                                     .devices = devs, .n_devices = 1 };
        if (cgroup_enter(cg, &res, 777, &err) < 0)
                fail_msg("%s", msg(err));

        char d[4096];
        snprintf(d, sizeof d, "%s/memory/box/t2", root);
        assert_file(d, "memory.limit_in_bytes", "4096000\n");
        assert_false(exists(d, "memory.memsw.limit_in_bytes"));
        assert_file(d, "cgroup.procs", "777\n");
        snprintf(d, sizeof d, "%s/cpu,cpuacct/box/t2", root);
        assert_file(d, "cpu.shares", "100\n");
        assert_file(d, "cgroup.procs", "777\n");
        snprintf(d, sizeof d, "%s/pids/box/t2", root);
        assert_file(d, "pids.max", "max\n");
        snprintf(d, sizeof d, "%s/blkio/box/t2", root);
        assert_file(d, "blkio.weight", "200\n");
        snprintf(d, sizeof d, "%s/devices/box/t2", root);
        assert_file(d, "devices.deny", "a\n");
        _cleanup_free_ char *allow = get(d, "devices.allow");
        assert_non_null(allow);
        assert_true(strncmp(allow, "c 10:229 rwm\nc *:* m\nb *:* m\nc 1:3 rwm\n", 38) == 0);
        snprintf(d, sizeof d, "%s/systemd/box/t2", root);
        assert_file(d, "cgroup.procs", "777\n");
        snprintf(d, sizeof d, "%s/unified/box/t2", root);
        assert_file(d, "cgroup.procs", "777\n");
        assert_file(cs, "box/t2/cpuset.cpus", "0-1\n");
        assert_file(cs, "box/t2/cpuset.mems", "\n0\n");
        assert_file(cs, "box/cpuset.cpus", "0-1\n");

        /* the swap file appears: memsw goes first (the limit is raised above it) */
        snprintf(d, sizeof d, "%s/memory/box/t2", root);
        put(d, "memory.memsw.limit_in_bytes", "");
        struct oci_resources upd = { .has_memory_limit = true, .memory_limit = 5000000,
                                     .has_memory_swap = true, .memory_swap = 9000000 };
        assert_int_equal(cgroup_update(cg, &upd, &err), 0);
        assert_file(d, "memory.memsw.limit_in_bytes", "9000000\n");
        assert_file(d, "memory.limit_in_bytes", "4096000\n5000000\n");

        _cleanup_free_ char *p = NULL;
        assert_int_equal(cgroup_controller_path(cg, "cpuacct", &p, &err), 0);
        snprintf(d, sizeof d, "%s/cpu,cpuacct/box/t2", root);
        assert_string_equal(p, d);
        free(p);
        assert_int_equal(cgroup_controller_path(cg, NULL, &p, &err), 0);
        snprintf(d, sizeof d, "%s/unified/box/t2", root);
        assert_string_equal(p, d);
        free(p);
        p = NULL;
        assert_int_equal(cgroup_controller_path(cg, "hugetlb", &p, &err), -ENOENT);
        assert_string_equal(msg(err), "cgroup controller hugetlb is not mounted");
        cu_error_clear(&err);

        bool frozen = true;
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        assert_int_equal(cgroup_freeze(cg, true, &err), 0);
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_true(frozen);
        assert_int_equal(cgroup_freeze(cg, false, &err), 0);
        snprintf(d, sizeof d, "%s/freezer/box/t2", root);
        assert_file(d, "freezer.state", "FROZEN\nTHAWED\n");

        pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_get_pids(cg, &pids, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], 777);
        free(pids);

        char *uni[] = { "memory.high", "1", NULL };
        struct oci_resources u = { .unified = uni };
        assert_int_equal(cgroup_update(cg, &u, &err), -EOPNOTSUPP);
        cu_error_clear(&err);

        assert_int_equal(cgroup_destroy(cg, &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(d, sizeof d, "%s/%s", root, dirs[i]);
                assert_false(exists(d, "box/t2"));
        }
        assert_int_equal(rm_rf(root), 0);
}

static void test_new_errors(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        struct cgroup *cg = NULL;
        assert_int_equal(cgroup_new("/nonexistent/cgroup", 0, NULL, "x", false, &cg, &err),
                         -ENOENT);
        assert_string_equal(msg(err), "cgroup root /nonexistent/cgroup: No such file or directory");
        cu_error_clear(&err);
        assert_int_equal(cgroup_new("/tmp", 3, NULL, "x", false, &cg, &err), -EINVAL);
        cu_error_clear(&err);
        assert_int_equal(cgroup_new("/tmp", 2, "/a/../..", "x", false, &cg, &err), -EINVAL);
        assert_null(cg);
        assert_null(cgroup_free(NULL));
}

/* ---- real cgroups ---- */

/* A child that, for each byte read on `go`, reports the errno of opening /dev/null rw,
 * /dev/kmsg read-only and /dev/kmsg write-only; exits on EOF. */
static pid_t spawn_prober(int *go_w, int *res_r)
{
        int go[2], res[2];
        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        assert_int_equal(pipe2(res, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(go[1]);
                close(res[0]);
                char c;
                while (read(go[0], &c, 1) == 1) {
                        static const struct {
                                const char *path;
                                int flags;
                        } probes[] = { { "/dev/null", O_RDWR },
                                       { "/dev/kmsg", O_RDONLY | O_NONBLOCK },
                                       { "/dev/kmsg", O_WRONLY } };
                        int out[3];
                        for (int i = 0; i < 3; i++) {
                                int fd = open(probes[i].path, probes[i].flags | O_CLOEXEC);
                                out[i] = fd >= 0 ? 0 : errno;
                                if (fd >= 0)
                                        close(fd);
                        }
                        if (write(res[1], out, sizeof out) != sizeof out)
                                _exit(2);
                }
                _exit(0);
        }
        close(go[0]);
        close(res[1]);
        *go_w = go[1];
        *res_r = res[0];
        return pid;
}

static void probe(int go, int res, int out[3])
{
        assert_int_equal(write(go, "x", 1), 1);
        assert_int_equal(read_all(res, out, 3 * sizeof(int)), 3 * sizeof(int));
}

struct real_state {
        struct cgroup *cg;
        pid_t child;
        char *parent; /* v1: a cgroup path removed from every hierarchy at teardown */
        char *extra_dir; /* a directory removed at teardown */
};

static int real_teardown(void **state)
{
        struct real_state *s = *state;
        if (!s)
                return 0;
        if (s->child > 0) {
                kill(s->child, SIGKILL);
                waitpid(s->child, NULL, 0);
        }
        if (s->cg) {
                (void) cgroup_freeze(s->cg, false, NULL);
                (void) cgroup_kill_all(s->cg, SIGKILL, NULL);
                (void) cgroup_destroy(s->cg, NULL);
                for (size_t i = 0; s->parent && i < s->cg->n_hier; i++) {
                        char d[4096];
                        snprintf(d, sizeof d, "%s%s", s->cg->hier[i].dir, s->parent);
                        (void) rmdir(d);
                }
                cgroup_free(s->cg);
        }
        free(s->parent);
        if (s->extra_dir) {
                (void) rmdir(s->extra_dir);
                free(s->extra_dir);
        }
        free(s);
        *state = NULL;
        return 0;
}

static int real_setup(void **state)
{
        *state = calloc(1, sizeof(struct real_state));
        return *state ? 0 : -1;
}

static bool real_v1_available(const char **why)
{
        if (geteuid() != 0) {
                *why = "not root";
                return false;
        }
        struct statfs sfs;
        if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type == CGROUP2_SUPER_MAGIC) {
                *why = "/sys/fs/cgroup is not a cgroup v1 (or hybrid) tree";
                return false;
        }
        if (statfs("/sys/fs/cgroup/memory", &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC) {
                *why = "no v1 memory hierarchy";
                return false;
        }
        return true;
}

static void test_real_v1(void **state)
{
        struct real_state *s = *state;
        const char *why = NULL;
        if (!real_v1_available(&why)) {
                printf("# skipping real cgroup v1 test: %s\n", why);
                skip();
        }
        char path[64];
        snprintf(path, sizeof path, "/cuttle-test-%d/ctr", (int) getpid());
        _cleanup_error_ struct cu_error *err = NULL;
        if (cgroup_new(NULL, 0, path, "ctr", false, &s->cg, &err) < 0)
                fail_msg("%s", msg(err));
        struct cgroup *cg = s->cg;
        assert_int_equal(cg->version, 1);
        assert_false(cg->fake);
        assert_non_null(cg_find_hierarchy(cg, "memory"));
        assert_non_null(cg_find_hierarchy(cg, "name=systemd"));
        snprintf(path, sizeof path, "/cuttle-test-%d", (int) getpid());
        s->parent = strdup(path);

        int go, resfd;
        s->child = spawn_prober(&go, &resfd);

        /* /dev/kmsg: readable, not writable (order matters); /dev/null from the defaults */
        struct oci_device_cgroup devs[] = { dev(false, 'a', -1, -1, "rwm"),
                                            dev(true, 'c', 1, 11, "rwm"),
                                            dev(false, 'c', 1, 11, "w") };
        struct oci_resources res = { .has_memory_limit = true, .memory_limit = 64 << 20,
                                     .has_memory_swap = true, .memory_swap = 128 << 20,
                                     .has_pids_limit = true, .pids_limit = 32,
                                     .has_cpu_shares = true, .cpu_shares = 512,
                                     .has_cpu_quota = true, .cpu_quota = 20000,
                                     .has_cpu_period = true, .cpu_period = 100000,
                                     .devices = devs, .n_devices = ELEMENTSOF(devs) };
        if (cgroup_enter(cg, &res, s->child, &err) < 0)
                fail_msg("%s", msg(err));

        _cleanup_free_ char *mem = NULL, *pids = NULL, *cpu = NULL, *devd = NULL, *cpuset = NULL;
        assert_int_equal(cgroup_controller_path(cg, "memory", &mem, &err), 0);
        assert_int_equal(cgroup_controller_path(cg, "pids", &pids, &err), 0);
        assert_int_equal(cgroup_controller_path(cg, "cpu", &cpu, &err), 0);
        assert_int_equal(cgroup_controller_path(cg, "devices", &devd, &err), 0);
        assert_int_equal(cgroup_controller_path(cg, "cpuset", &cpuset, &err), 0);
        assert_file(mem, "memory.limit_in_bytes", "67108864\n");
        if (exists(mem, "memory.memsw.limit_in_bytes"))
                assert_file(mem, "memory.memsw.limit_in_bytes", "134217728\n");
        assert_file(pids, "pids.max", "32\n");
        assert_file(cpu, "cpu.shares", "512\n");
        assert_file(cpu, "cpu.cfs_quota_us", "20000\n");
        _cleanup_free_ char *rootcpus = get("/sys/fs/cgroup/cpuset", "cpuset.cpus");
        assert_non_null(rootcpus);
        assert_file(cpuset, "cpuset.cpus", rootcpus);
        _cleanup_free_ char *list = get(devd, "devices.list");
        assert_non_null(list);
        assert_non_null(strstr(list, "c 1:3 rwm"));
        assert_non_null(strstr(list, "c 1:11 rm"));
        assert_null(strstr(list, "a *:* rwm"));

        /* the child is in every hierarchy: each line of /proc/PID/cgroup ends in the path */
        char procf[64];
        snprintf(procf, sizeof procf, "/proc/%d/cgroup", (int) s->child);
        _cleanup_free_ char *pc = NULL;
        assert_int_equal(read_full_file_at(AT_FDCWD, procf, &pc, NULL), 0);
        size_t hits = 0, plen = strlen(cg->path);
        for (char *l = strtok(pc, "\n"); l; l = strtok(NULL, "\n")) {
                size_t len = strlen(l);
                if (len > plen && l[len - plen - 1] == ':' && strcmp(l + len - plen, cg->path) == 0)
                        hits++;
        }
        assert_int_equal(hits, cg->n_hier);

        int out[3];
        probe(go, resfd, out);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], 0);
        assert_int_equal(out[2], EPERM);

        pid_t *pl = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_get_pids(cg, &pl, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pl[0], s->child);
        free(pl);

        bool frozen = true;
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        if (cgroup_freeze(cg, true, &err) < 0)
                fail_msg("%s", msg(err));
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_true(frozen);
        assert_int_equal(cgroup_freeze(cg, false, &err), 0);
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        probe(go, resfd, out); /* still alive and answering */
        assert_int_equal(out[0], 0);

        struct oci_resources upd = { .has_memory_limit = true, .memory_limit = 256 << 20,
                                     .has_memory_swap = true, .memory_swap = 512 << 20,
                                     .has_pids_limit = true, .pids_limit = 0 };
        if (cgroup_update(cg, &upd, &err) < 0)
                fail_msg("%s", msg(err));
        assert_file(mem, "memory.limit_in_bytes", "268435456\n");
        assert_file(pids, "pids.max", "max\n");
        upd.memory_limit = 32 << 20; /* lowering below the current memsw: limit first */
        upd.memory_swap = 64 << 20;
        if (cgroup_update(cg, &upd, &err) < 0)
                fail_msg("%s", msg(err));
        assert_file(mem, "memory.limit_in_bytes", "33554432\n");

        struct cgroup_stats st;
        assert_int_equal(cgroup_stats(cg, &st, &err), 0);
        assert_true(st.has_memory);
        assert_int_equal(st.memory_limit, 32 << 20);
        assert_true(st.memory_usage > 0);
        assert_true(st.has_pids);
        assert_int_equal(st.pids_current, 1);
        assert_int_equal(st.pids_limit, CGROUP_UNLIMITED);

        /* a write the kernel refuses names file and value */
        struct oci_resources bad = { .has_cpu_shares = true, .cpu_shares = 1,
                                     .cpu_cpus = (char *) "99999" };
        assert_true(cgroup_update(cg, &bad, &err) < 0);
        assert_true(strncmp(msg(err), "setting cpuset.cpus to 99999: ", 30) == 0);
        cu_error_clear(&err);

        assert_int_equal(cgroup_kill_all(cg, SIGKILL, &err), 0);
        int status = 0;
        assert_int_equal(waitpid(s->child, &status, 0), s->child);
        s->child = 0;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        close(go);
        close(resfd);

        if (cgroup_destroy(cg, &err) < 0)
                fail_msg("%s", msg(err));
        for (size_t i = 0; i < cg->n_hier; i++) {
                char d[4096];
                snprintf(d, sizeof d, "%s%s", cg->hier[i].dir, cg->path);
                if (access(d, F_OK) == 0)
                        fail_msg("%s left behind", d);
                /* and the parent we made for the test */
                snprintf(d, sizeof d, "%s%s", cg->hier[i].dir, s->parent);
                assert_int_equal(rmdir(d), 0);
        }
        free(s->parent);
        s->parent = NULL;
}

static void test_real_kill(void **state)
{
        struct real_state *s = *state;
        const char *why = NULL;
        if (!real_v1_available(&why)) {
                printf("# skipping real cgroup kill test: %s\n", why);
                skip();
        }
        char path[64];
        snprintf(path, sizeof path, "/cuttle-kill-%d", (int) getpid());
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(cgroup_new(NULL, 0, path, "k", false, &s->cg, &err), 0);
        assert_int_equal(cgroup_enter(s->cg, NULL, 0, &err), 0);

        /* a child that forks grandchildren: everything must die */
        int sync[2];
        assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
        s->child = fork();
        assert_true(s->child >= 0);
        if (s->child == 0) {
                char c;
                close(sync[1]);
                if (read(sync[0], &c, 1) != 1)
                        _exit(3);
                for (int i = 0; i < 3; i++)
                        if (fork() == 0)
                                for (;;)
                                        pause();
                for (;;)
                        pause();
        }
        close(sync[0]);
        assert_int_equal(cgroup_enter(s->cg, NULL, s->child, &err), 0);
        assert_int_equal(write(sync[1], "x", 1), 1);
        close(sync[1]);
        pid_t *pl = NULL;
        size_t n = 0;
        for (int i = 0; i < 500 && n < 4; i++) {
                free(pl);
                pl = NULL;
                assert_int_equal(cgroup_get_pids(s->cg, &pl, &n, &err), 0);
                usleep(2000);
        }
        free(pl);
        assert_int_equal(n, 4);
        assert_int_equal(cgroup_kill_all(s->cg, SIGKILL, &err), 0);
        int status = 0;
        assert_int_equal(waitpid(s->child, &status, 0), s->child);
        s->child = 0;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        /* grandchildren are reparented and reaped by init; wait until the cgroup is empty */
        for (int i = 0; i < 500; i++) {
                assert_int_equal(cgroup_get_pids(s->cg, &pl, &n, &err), 0);
                free(pl);
                if (n == 0)
                        break;
                usleep(2000);
        }
        assert_int_equal(n, 0);
        if (cgroup_destroy(s->cg, &err) < 0)
                fail_msg("%s", msg(err));
        for (size_t i = 0; i < s->cg->n_hier; i++) {
                char d[4096];
                snprintf(d, sizeof d, "%s%s", s->cg->hier[i].dir, s->cg->path);
                if (access(d, F_OK) == 0)
                        fail_msg("%s left behind", d);
        }
}

static int query_device_progs(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        uint32_t ids[8];
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.query.target_fd = (uint32_t) fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
        attr.query.prog_cnt = 8;
        long r = syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr);
        close(fd);
        assert_true(r == 0);
        return (int) attr.query.prog_cnt;
}

/* A real cgroup2 tree: a directory of the hybrid unified hierarchy used as the root (it
 * has no controllers, so this exercises mkdir, eBPF devices, freeze, kill, destroy). */
static void test_real_v2(void **state)
{
        struct real_state *s = *state;
        struct statfs sfs;
        if (geteuid() != 0) {
                printf("# skipping real cgroup v2 test: not root\n");
                skip();
        }
        const char *base = statfs("/sys/fs/cgroup", &sfs) == 0 &&
                                           sfs.f_type == CGROUP2_SUPER_MAGIC
                                   ? "/sys/fs/cgroup"
                                   : "/sys/fs/cgroup/unified";
        if (statfs(base, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
                printf("# skipping real cgroup v2 test: no cgroup2 mount\n");
                skip();
        }
        char root[256];
        snprintf(root, sizeof root, "%s/cuttle-test2-%d", base, (int) getpid());
        assert_int_equal(mkdir(root, 0755), 0);
        s->extra_dir = strdup(root);

        _cleanup_error_ struct cu_error *err = NULL;
        if (cgroup_new(root, 0, "/ctr", "ctr", false, &s->cg, &err) < 0)
                fail_msg("%s", msg(err));
        struct cgroup *cg = s->cg;
        assert_int_equal(cg->version, 2);
        assert_false(cg->fake);

        int go, resfd;
        s->child = spawn_prober(&go, &resfd);
        struct oci_device_cgroup devs[] = { dev(false, 'a', -1, -1, "rwm"),
                                            dev(true, 'c', 1, 11, "r") };
        struct oci_resources res = { .devices = devs, .n_devices = ELEMENTSOF(devs) };
        if (cgroup_enter(cg, &res, s->child, &err) < 0)
                fail_msg("%s", msg(err));
        _cleanup_free_ char *leaf = NULL;
        assert_int_equal(cgroup_controller_path(cg, NULL, &leaf, &err), 0);
        assert_int_equal(query_device_progs(leaf), 1);

        int out[3];
        probe(go, resfd, out);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], 0);
        assert_int_equal(out[2], EPERM);

        /* replace the policy: write-only kmsg now */
        devs[1] = dev(true, 'c', 1, 11, "w");
        if (cgroup_update(cg, &res, &err) < 0)
                fail_msg("%s", msg(err));
        assert_int_equal(query_device_progs(leaf), 1);
        probe(go, resfd, out);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], EPERM);
        assert_int_equal(out[2], 0);

        /* no memory controller in this tree */
        struct oci_resources mem = { .has_memory_limit = true, .memory_limit = 1 << 20 };
        assert_int_equal(cgroup_update(cg, &mem, &err), -EOPNOTSUPP);
        cu_error_clear(&err);

        bool frozen = true;
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        if (cgroup_freeze(cg, true, &err) < 0)
                fail_msg("%s", msg(err));
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_true(frozen);
        assert_int_equal(cgroup_freeze(cg, false, &err), 0);
        assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
        assert_false(frozen);
        probe(go, resfd, out);
        assert_int_equal(out[0], 0);

        pid_t *pl = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_get_pids(cg, &pl, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pl[0], s->child);
        free(pl);

        assert_int_equal(cgroup_kill_all(cg, SIGKILL, &err), 0);
        int status = 0;
        assert_int_equal(waitpid(s->child, &status, 0), s->child);
        s->child = 0;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        close(go);
        close(resfd);

        if (cgroup_destroy(cg, &err) < 0)
                fail_msg("%s", msg(err));
        assert_false(exists(root, "ctr"));
        assert_int_equal(rmdir(root), 0);
        free(s->extra_dir);
        s->extra_dir = NULL;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_self_path),
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_v1_plan),
                cmocka_unit_test(test_v1_memory_order),
                cmocka_unit_test(test_v1_plan_devices),
                cmocka_unit_test(test_v2_plan),
                cmocka_unit_test(test_v2_controllers),
                cmocka_unit_test(test_bpf_program),
                cmocka_unit_test(test_bpf_random),
                cmocka_unit_test(test_fake_v2),
                cmocka_unit_test(test_fake_v1),
                cmocka_unit_test(test_new_errors),
                cmocka_unit_test_setup_teardown(test_real_v1, real_setup, real_teardown),
                cmocka_unit_test_setup_teardown(test_real_kill, real_setup, real_teardown),
                cmocka_unit_test_setup_teardown(test_real_v2, real_setup, real_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
