/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checkpoint: CRIU's stats images (a real stats-dump), the external mounts' host sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/checkpoint-int.h"
#include "oci/spec.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/json.h"

/* stats-dump as criu 4.1.1 wrote it for a sleeping process. */
static const unsigned char stats_dump[] = {
        0x40, 0x59, 0x10, 0x55, 0x06, 0x33, 0x09, 0x57, 0x25, 0x00, 0x00, 0x00, 0x0a,
        0x23, 0x08, 0x80, 0xb5, 0x01, 0x10, 0x81, 0xdb, 0x0b, 0x18, 0x89, 0xb8, 0x01,
        0x20, 0xa2, 0x02, 0x28, 0x39, 0x30, 0x00, 0x38, 0x1e, 0x40, 0x00, 0x48, 0x00,
        0x50, 0x08, 0x58, 0x08, 0x60, 0x24, 0x68, 0x00, 0x70, 0x18,
};

static void test_stats_dump(void **state)
{
        (void) state;
        uint64_t v[16];
        assert_int_equal(engine_cr_parse_stats(stats_dump, sizeof stats_dump, 1, v), 0);
        assert_int_equal(v[1], 23168);  /* freezing_time */
        assert_int_equal(v[2], 191873); /* frozen_time */
        assert_int_equal(v[3], 23561);  /* memdump_time */
        assert_int_equal(v[4], 290);    /* memwrite_time */
        assert_int_equal(v[5], 57);     /* pages_scanned */
        assert_int_equal(v[7], 30);     /* pages_written */
        /* no restore message in a dump's stats */
        assert_int_equal(engine_cr_parse_stats(stats_dump, sizeof stats_dump, 2, v), -ENOENT);
}

static void test_stats_bad(void **state)
{
        (void) state;
        uint64_t v[16];
        assert_int_equal(engine_cr_parse_stats(stats_dump, 8, 1, v), -EINVAL);
        /* a length past the end */
        unsigned char b[sizeof stats_dump];
        memcpy(b, stats_dump, sizeof b);
        b[8] = 0x7f;
        assert_int_equal(engine_cr_parse_stats(b, sizeof b, 1, v), -EINVAL);
        /* an inner length past the message */
        memcpy(b, stats_dump, sizeof b);
        b[13] = 0x30;
        assert_int_equal(engine_cr_parse_stats(b, sizeof b, 1, v), -EINVAL);
        /* a wire type other than varint inside the message */
        memcpy(b, stats_dump, sizeof b);
        b[14] = 0x0a;
        assert_int_equal(engine_cr_parse_stats(b, sizeof b, 1, v), -EINVAL);
}

static void test_stats_json(void **state)
{
        (void) state;
        char path[] = "/tmp/test-checkpoint-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, stats_dump, sizeof stats_dump), (ssize_t) sizeof stats_dump);
        close(fd);
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *j = engine_cr_stats(path, false, &err);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "pages_written")), 30);
        assert_int_equal(json_integer_value(json_object_get(j, "freezing_time")), 23168);
        json_t *r = engine_cr_stats(path, true, &err);
        assert_null(r);
        assert_non_null(strstr(cu_error_msg(err), "displaying restore statistics not possible"));
        cu_error_free(err);
        unlink(path);
}

static void test_mount_source(void **state)
{
        (void) state;
        const char *text =
                "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/r\"},"
                "\"mounts\":[{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/b/hosts\",\"options\":[\"rbind\"]},"
                "{\"destination\":\"/data/\",\"source\":\"/vol/a\",\"options\":[\"bind\",\"rw\"]},"
                "{\"destination\":\"/data\",\"source\":\"/vol/b\",\"type\":\"bind\"},"
                "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
                "\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}}";
        struct cu_error *err = NULL;
        struct oci_spec *s = oci_spec_parse_data(text, strlen(text), "test", &err);
        assert_non_null(s);
        char *p = NULL;
        assert_int_equal(runtime_criu_mount_source(s, "/etc/hosts", NULL, NULL, false, &p), 0);
        assert_string_equal(p, "/b/hosts");
        free(p);
        /* the last mount of a mountpoint wins; trailing slashes do not matter */
        assert_int_equal(runtime_criu_mount_source(s, "/data", NULL, NULL, false, &p), 0);
        assert_string_equal(p, "/vol/b");
        free(p);
        assert_int_equal(runtime_criu_mount_source(s, "/proc/kcore", NULL, NULL, false, &p), 0);
        assert_string_equal(p, "/dev/null");
        free(p);
        /* not a bind mount, not in the spec */
        assert_int_equal(runtime_criu_mount_source(s, "/tmp", NULL, NULL, false, &p), -ENOENT);
        assert_int_equal(runtime_criu_mount_source(s, "/nope", NULL, NULL, false, &p), -ENOENT);
        /* a cgroup hierarchy: the container's cgroup, or the hierarchy when it is missing */
        assert_int_equal(runtime_criu_mount_source(s, "/sys/fs/cgroup/memory", "/cg", "/c/x", true, &p), 0);
        assert_string_equal(p, "/cg/memory");
        free(p);
        assert_int_equal(runtime_criu_mount_source(s, "/sys/fs/cgroup/memory", "/", "", true, &p), 0);
        assert_string_equal(p, "//memory");
        free(p);
        assert_int_equal(runtime_criu_mount_source(s, "/sys/fs/cgroup/..", "/cg", "/c", true, &p), -EINVAL);
        oci_spec_free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stats_dump),
                cmocka_unit_test(test_stats_bad),
                cmocka_unit_test(test_stats_json),
                cmocka_unit_test(test_mount_source),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
