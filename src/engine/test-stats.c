/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats: /proc/PID/cgroup paths, cgroup v1 and v2 readings from fixture trees, net/dev,
 * percentages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "engine/stats.h"
#include "util/cleanup.h"
#include "util/fileio.h"

static void test_cgroup_path(void **state)
{
        (void) state;
        const char *v1 = "12:pids:/cuttle/abc\n"
                         "8:cpu,cpuacct:/cuttle/abc\n"
                         "7:memory:/cuttle/abc\n"
                         "3:blkio:/machine/x\n"
                         "1:name=systemd:/user.slice\n"
                         "0::/unified/p\n";
        struct {
                const char *ctrl, *want;
        } cases[] = {
                { "pids", "/cuttle/abc" },  { "cpuacct", "/cuttle/abc" }, { "cpu", "/cuttle/abc" },
                { "memory", "/cuttle/abc" }, { "blkio", "/machine/x" },   { "name=systemd", "/user.slice" },
                { "", "/unified/p" },        { "freezer", NULL },         { "cpuac", NULL },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *p = stats_cgroup_path(v1, cases[i].ctrl);
                if (cases[i].want)
                        assert_string_equal(p, cases[i].want);
                else
                        assert_null(p);
        }
        _cleanup_free_ char *none = stats_cgroup_path("", "memory");
        assert_null(none);
}

static void test_parsers(void **state)
{
        (void) state;
        const char *mstat = "cache 100\ntotal_cache 2000\ntotal_inactive_file 4096\ninactive_file 7\n";
        assert_int_equal(stats_kv(mstat, "total_inactive_file"), 4096);
        assert_int_equal(stats_kv(mstat, "inactive_file"), 7);
        assert_int_equal(stats_kv(mstat, "cache"), 100);
        assert_int_equal(stats_kv(mstat, "missing"), 0);
        uint64_t r, w;
        stats_blkio_v1("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 9\n8:16 Read 4\nTotal 4612\n", &r, &w);
        assert_int_equal(r, 4100);
        assert_int_equal(w, 512);
        stats_io_v2("8:0 rbytes=1000 wbytes=20 rios=1 wios=1\n8:16 rbytes=5 wbytes=5 dbytes=9\n", &r, &w);
        assert_int_equal(r, 1005);
        assert_int_equal(w, 25);
        const char *net =
                "Inter-|   Receive                                                |  Transmit\n"
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
                "    lo:    9999      10    0    0    0     0          0         0     9999      10    0    0    0     0       0          0\n"
                "  eth0:     516       6    0    0    0     0          0         0     1166      12    0    0    0     0       0          0\n"
                "  eth1:      10       1    0    0    0     0          0         0       20       1    0    0    0     0       0          0\n";
        uint64_t rx, tx;
        stats_net_dev(net, &rx, &tx);
        assert_int_equal(rx, 526);
        assert_int_equal(tx, 1186);
}

static void put(const char *dir, const char *file, const char *text)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, file);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static void test_v1_tree(void **state)
{
        (void) state;
        char root[] = "/tmp/test-stats-XXXXXX";
        assert_non_null(mkdtemp(root));
        char mem[512], cpu[512], pids[512], blk[512];
        snprintf(mem, sizeof mem, "%s/memory", root);
        snprintf(cpu, sizeof cpu, "%s/cpuacct", root);
        snprintf(pids, sizeof pids, "%s/pids", root);
        snprintf(blk, sizeof blk, "%s/blkio", root);
        const char *dirs[] = { mem, cpu, pids, blk };
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(mkdir(dirs[i], 0755), 0);
        put(mem, "memory.usage_in_bytes", "1048576\n");
        put(mem, "memory.stat", "cache 0\ntotal_inactive_file 400000\n");
        put(mem, "memory.limit_in_bytes", "9223372036854771712\n");
        put(cpu, "cpuacct.usage", "153433349\n");
        put(pids, "pids.current", "3\n");
        put(blk, "blkio.throttle.io_service_bytes", "8:0 Read 8192\n8:0 Write 4096\nTotal 12288\n");
        struct stats_dirs d = { .version = 1, .memory = mem, .cpuacct = cpu, .pids = pids, .blkio = blk };
        struct engine_stats s = { 0 };
        stats_from_cgroup(&d, 25280000000ULL, &s);
        assert_int_equal(s.mem_usage, 1048576 - 400000);
        assert_int_equal(s.mem_limit, 25280000000ULL); /* unlimited: the host's */
        assert_int_equal(s.cpu_ns, 153433349);
        assert_int_equal(s.pids, 3);
        assert_int_equal(s.blk_read, 8192);
        assert_int_equal(s.blk_write, 4096);
        /* a real limit */
        put(mem, "memory.limit_in_bytes", "67108864\n");
        stats_from_cgroup(&d, 25280000000ULL, &s);
        assert_int_equal(s.mem_limit, 67108864);
        /* a missing controller gives zeros */
        struct stats_dirs none = { .version = 1 };
        struct engine_stats z = { 0 };
        stats_from_cgroup(&none, 1000, &z);
        assert_int_equal(z.cpu_ns, 0);
        assert_int_equal(z.mem_usage, 0);
        assert_int_equal(z.mem_limit, 1000);
        (void) rm_rf(root);
}

static void test_v2_tree(void **state)
{
        (void) state;
        char root[] = "/tmp/test-stats-XXXXXX";
        assert_non_null(mkdtemp(root));
        put(root, "memory.current", "2000000\n");
        put(root, "memory.stat", "anon 1000\ninactive_file 500000\nactive_file 1\n");
        put(root, "memory.max", "max\n");
        put(root, "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
        put(root, "pids.current", "2\n");
        put(root, "io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
        struct stats_dirs d = { .version = 2, .memory = root, .cpuacct = root, .pids = root, .blkio = root };
        struct engine_stats s = { 0 };
        stats_from_cgroup(&d, 8000000000ULL, &s);
        assert_int_equal(s.mem_usage, 1500000);
        assert_int_equal(s.mem_limit, 8000000000ULL);
        assert_int_equal(s.cpu_ns, 2500000);
        assert_int_equal(s.pids, 2);
        assert_int_equal(s.blk_read, 100);
        assert_int_equal(s.blk_write, 200);
        put(root, "memory.max", "1000000\n");
        stats_from_cgroup(&d, 8000000000ULL, &s);
        assert_int_equal(s.mem_limit, 1000000);
        (void) rm_rf(root);
}

static void test_percentages(void **state)
{
        (void) state;
        struct engine_stats a = { .cpu_ns = 1000000000, .read_ns = 10000000000LL,
                                  .started_ns = 6000000000LL, .running = true,
                                  .mem_usage = 250, .mem_limit = 1000 };
        assert_true(stats_avg_cpu_percent(&a) > 24.99 && stats_avg_cpu_percent(&a) < 25.01);
        /* no previous sample: the average since the start (podman's first sample) */
        assert_true(stats_cpu_percent(&a, NULL) > 24.99 && stats_cpu_percent(&a, NULL) < 25.01);
        struct engine_stats b = a;
        b.cpu_ns += 1500000000;
        b.read_ns += 2000000000;
        assert_true(stats_cpu_percent(&b, &a) > 74.99 && stats_cpu_percent(&b, &a) < 75.01);
        assert_true(stats_mem_percent(&a) > 24.99 && stats_mem_percent(&a) < 25.01);
        struct engine_stats stopped = { .read_ns = 5 };
        assert_true(stats_avg_cpu_percent(&stopped) == 0.0);
        assert_true(stats_mem_percent(&stopped) == 0.0);
        assert_true(stats_cpu_percent(&a, &b) == 0.0); /* time going backwards */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroup_path), cmocka_unit_test(test_parsers),
                cmocka_unit_test(test_v1_tree),     cmocka_unit_test(test_v2_tree),
                cmocka_unit_test(test_percentages),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
