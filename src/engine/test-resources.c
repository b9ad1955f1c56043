/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resources, devices, namespaces and systemd mode: the parsers and their errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/security.h"
#include "util/json.h"

static void expect_err(struct cu_error **err, const char *msg)
{
        assert_non_null(*err);
        assert_string_equal(cu_error_msg(*err), msg);
        cu_error_free(*err);
        *err = NULL;
}

static void test_cpus_memory_cpuset(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        int64_t v = 0;
        assert_int_equal(engine_parse_cpus("1.5", &v, &err), 0);
        assert_int_equal(v, 1500000000);
        assert_int_equal(engine_parse_cpus("0.01", &v, &err), 0);
        assert_int_equal(v, 10000000);
        assert_int_equal(engine_parse_cpus("x", &v, &err), -EINVAL);
        expect_err(&err, "invalid argument \"x\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"x\": invalid syntax");
        assert_int_equal(engine_parse_cpus("", &v, &err), -EINVAL);
        expect_err(&err, "invalid argument \"\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"\": invalid syntax");

        assert_int_equal(engine_parse_memory("512m", false, &v, &err), 0);
        assert_int_equal(v, 512LL << 20);
        assert_int_equal(engine_parse_memory("1g", false, &v, &err), 0);
        assert_int_equal(v, 1LL << 30);
        assert_int_equal(engine_parse_memory("100", false, &v, &err), 0);
        assert_int_equal(v, 100);
        assert_int_equal(engine_parse_memory("2KiB", false, &v, &err), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(engine_parse_memory("-1", true, &v, &err), 0);
        assert_int_equal(v, -1);
        assert_int_equal(engine_parse_memory("-1", false, &v, &err), -EINVAL);
        expect_err(&err, "invalid size: '-1'");
        assert_int_equal(engine_parse_memory("1x", false, &v, &err), -EINVAL);
        expect_err(&err, "invalid size: '1x'");
        assert_int_equal(engine_parse_memory("1mq", false, &v, &err), -EINVAL);
        expect_err(&err, "invalid size: '1mq'");

        assert_int_equal(engine_parse_cpuset("0", NULL), 0);
        assert_int_equal(engine_parse_cpuset("0-3,5,7-8", NULL), 0);
        assert_int_equal(engine_parse_cpuset("abc", NULL), -EINVAL);
        assert_int_equal(engine_parse_cpuset("3-1", NULL), -EINVAL);
        assert_int_equal(engine_parse_cpuset("1,,2", NULL), -EINVAL);
}

static void test_cgroup_path(void **state)
{
        (void) state;
        char *p = engine_cgroup_path(NULL, "abc", false);
        assert_string_equal(p, "/libpod_parent/libpod-abc");
        free(p);
        p = engine_cgroup_path("/mine", "abc", false);
        assert_string_equal(p, "/mine/libpod-abc");
        free(p);
        p = engine_cgroup_path("", "abc", true);
        assert_string_equal(p, "machine.slice:libpod:abc");
        free(p);
        p = engine_cgroup_path("/a/b/my.slice", "abc", true);
        assert_string_equal(p, "my.slice:libpod:abc");
        free(p);
}

static void test_devices(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        json_t *d = engine_device_parse("/dev/fuse", &err);
        assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/fuse");
        assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "rwm");
        json_decref(d);
        d = engine_device_parse("/dev/null:r", &err);
        assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/null");
        assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "r");
        json_decref(d);
        d = engine_device_parse("/dev/null:/dev/n:mw", &err);
        assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/n");
        assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "mw");
        json_decref(d);
        d = engine_device_parse("/dev/null:/dev/n", &err);
        assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "rwm");
        json_decref(d);
        assert_null(engine_device_parse("/dev/null:rel", &err));
        expect_err(&err, "invalid device mode: rel");
        assert_null(engine_device_parse("/dev/null:/dev/n:xyz", &err));
        expect_err(&err, "invalid device mode: xyz");
        assert_null(engine_device_parse("/dev/null:/dev/n:rr", &err));
        expect_err(&err, "invalid device mode: rr");
        assert_null(engine_device_parse("/a:/b:r:x", &err));
        expect_err(&err, "invalid device specification: /a:/b:r:x");

        json_t *r = engine_device_cgroup_rule_parse("c 1:3 rwm", &err);
        assert_non_null(r);
        assert_string_equal(json_string_value(json_object_get(r, "type")), "c");
        assert_int_equal(json_integer_value(json_object_get(r, "major")), 1);
        assert_int_equal(json_integer_value(json_object_get(r, "minor")), 3);
        assert_true(json_is_true(json_object_get(r, "allow")));
        json_decref(r);
        r = engine_device_cgroup_rule_parse("a *:* m", &err);
        assert_null(json_object_get(r, "major"));
        json_decref(r);
        const char *bad[] = { "foo", "c 1:3", "x 1:3 rwm", "c 1:3 rwx", "c a:3 r", "c 1*:3 r", "c 1:3 rwm extra" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                assert_null(engine_device_cgroup_rule_parse(bad[i], &err));
                char want[128];
                snprintf(want, sizeof want,
                         "invalid device cgroup rule requires type, major:Minor, and access rules: \"%s\"", bad[i]);
                expect_err(&err, want);
        }
}

static void test_namespaces(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        const char *good[][2] = { { "pid", "" },       { "pid", "host" },         { "pid", "private" },
                                  { "uts", "ns:/x" },   { "ipc", "shareable" },   { "ipc", "none" },
                                  { "user", "auto" },   { "user", "auto:size=5" }, { "user", "keep-id" },
                                  { "cgroup", "container:abc" } };
        for (size_t i = 0; i < sizeof good / sizeof *good; i++)
                assert_int_equal(engine_ns_mode_check(good[i][0], good[i][1], &err), 0);
        const char *bad[][2] = { { "pid", "foo" }, { "ipc", "bogus" }, { "pid", "shareable" },
                                 { "uts", "auto" }, { "pid", "container:" }, { "pid", "ns:" } };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                assert_int_equal(engine_ns_mode_check(bad[i][0], bad[i][1], &err), -EINVAL);
                char want[96];
                snprintf(want, sizeof want, "unrecognized namespace mode %s passed", bad[i][1]);
                expect_err(&err, want);
        }
        json_t *m = engine_idmap_parse("0:100000:65536", &err);
        assert_int_equal(json_integer_value(json_object_get(m, "HostID")), 100000);
        assert_int_equal(json_integer_value(json_object_get(m, "Size")), 65536);
        json_decref(m);
        assert_null(engine_idmap_parse("0:x:1", NULL));
        assert_null(engine_idmap_parse("0:1", NULL));
        assert_null(engine_idmap_parse("0:1:0", NULL));

        assert_int_equal(engine_sysctl_check("net.ipv4.ip_forward", false, false, false, &err), 0);
        assert_int_equal(engine_sysctl_check("kernel.shmmax", false, false, false, &err), 0);
        assert_int_equal(engine_sysctl_check("fs.mqueue.msg_max", false, false, false, &err), 0);
        assert_int_equal(engine_sysctl_check("foo", false, false, false, &err), -EINVAL);
        expect_err(&err, "sysctl 'foo' is not allowed");
        assert_int_equal(engine_sysctl_check("kernel.hostname", false, false, false, &err), -EINVAL);
        expect_err(&err, "sysctl 'kernel.hostname' is not allowed");
        assert_int_equal(engine_sysctl_check("vm.swappiness", false, false, false, &err), -EINVAL);
        expect_err(&err, "sysctl 'vm.swappiness' is not allowed");
        assert_int_equal(engine_sysctl_check("net.core.somaxconn", true, false, false, &err), -EINVAL);
        expect_err(&err, "can't be set since Network Namespace set to host");
        assert_int_equal(engine_sysctl_check("kernel.msgmax", false, true, false, &err), -EINVAL);
        expect_err(&err, "can't be set since IPC Namespace set to host");
        assert_int_equal(engine_sysctl_check("kernel.msgmax", true, false, true, &err), 0);
}

static void test_systemd_mode(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        bool on = true;
        assert_int_equal(engine_systemd_mode(NULL, "/bin/sh", &on, &err), 0);
        assert_false(on);
        const char *yes[] = { "/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init",
                              "/usr/lib/systemd/systemd", "systemd" };
        for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
                on = false;
                assert_int_equal(engine_systemd_mode("true", yes[i], &on, &err), 0);
                assert_true(on);
        }
        assert_int_equal(engine_systemd_mode("true", "/bin/init", &on, &err), 0);
        assert_false(on);
        assert_int_equal(engine_systemd_mode("false", "/sbin/init", &on, &err), 0);
        assert_false(on);
        assert_int_equal(engine_systemd_mode("always", "sh", &on, &err), 0);
        assert_true(on);
        assert_int_equal(engine_systemd_mode("maybe", "sh", &on, &err), -EINVAL);
        expect_err(&err, "invalid config provided: --systemd values must be one of \"true, false, always\": invalid configuration");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cpus_memory_cpuset), cmocka_unit_test(test_cgroup_path),
                cmocka_unit_test(test_devices),            cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_systemd_mode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
