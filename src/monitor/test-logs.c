/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Log drivers: record formats, partial lines, JSON escaping, rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor/logs.h"
#include "util/fileio.h"

static char dir[256], path[300];
/* 2024-01-02T15:04:05.123456789Z */
static const struct timespec ts = { .tv_sec = 1704207845, .tv_nsec = 123456789 };

static int setup(void **s)
{
        setenv("TZ", "UTC", 1);
        tzset();
        snprintf(dir, sizeof dir, "/tmp/cuttle-test-logs-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(path, sizeof path, "%s/ctr.log", dir);
        return 0;
}

static int teardown(void **s)
{
        return rm_rf(dir) < 0 ? -1 : 0;
}

static char *slurp_and_remove(void)
{
        char *t = NULL;
        assert_int_equal(read_full_file(path, &t, NULL, NULL), 0);
        unlink(path);
        return t;
}

static void test_driver_names(void **s)
{
        assert_int_equal(log_driver_from_string("k8s-file"), LOG_DRIVER_K8S_FILE);
        assert_int_equal(log_driver_from_string("json-file"), LOG_DRIVER_JSON_FILE);
        assert_int_equal(log_driver_from_string("none"), LOG_DRIVER_NONE);
        assert_int_equal(log_driver_from_string("passthrough"), LOG_DRIVER_PASSTHROUGH);
        assert_int_equal(log_driver_from_string("journald"), _LOG_DRIVER_INVALID);
        struct ctr_log *l = NULL;
        assert_int_equal(ctr_log_open(LOG_DRIVER_K8S_FILE, NULL, 0, NULL, &l, NULL), -EINVAL);
}

static void test_k8s_timestamp(void **s)
{
        char buf[40];
        assert_int_equal(log_k8s_timestamp(&ts, buf), 35);
        assert_string_equal(buf, "2024-01-02T15:04:05.123456789+00:00");
        setenv("TZ", "EST5", 1);
        tzset();
        log_k8s_timestamp(&ts, buf);
        assert_string_equal(buf, "2024-01-02T10:04:05.123456789-05:00");
        setenv("TZ", "UTC", 1);
        tzset();
}

static void test_k8s_lines(void **s)
{
        struct ctr_log *l = NULL;
        assert_int_equal(ctr_log_open(LOG_DRIVER_K8S_FILE, path, 0, NULL, &l, NULL), 0);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDOUT, "a\nbb\npart", 9, &ts), 0);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDERR, "\n", 1, &ts), 0);
        ctr_log_free(l);
        char *t = slurp_and_remove();
        assert_string_equal(t, "2024-01-02T15:04:05.123456789+00:00 stdout F a\n"
                               "2024-01-02T15:04:05.123456789+00:00 stdout F bb\n"
                               "2024-01-02T15:04:05.123456789+00:00 stdout P part\n"
                               "2024-01-02T15:04:05.123456789+00:00 stderr F \n");
        free(t);
}

static void test_json_lines(void **s)
{
        struct ctr_log *l = NULL;
        assert_int_equal(ctr_log_open(LOG_DRIVER_JSON_FILE, path, 0, "t\"g", &l, NULL), 0);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDERR, "x<y>&\"\\\t\x01\nend", 13, &ts), 0);
        ctr_log_free(l);
        char *t = slurp_and_remove();
        assert_string_equal(t,
                            "{\"log\":\"x\\u003cy\\u003e\\u0026\\\"\\\\\\t\\u0001\\n\",\"stream\":"
                            "\"stderr\",\"attrs\":{\"tag\":\"t\\\"g\"},\"time\":"
                            "\"2024-01-02T15:04:05.123456789Z\"}\n"
                            "{\"log\":\"end\",\"stream\":\"stderr\",\"attrs\":{\"tag\":\"t\\\"g\"},"
                            "\"time\":\"2024-01-02T15:04:05.123456789Z\"}\n");
        free(t);
}

static void test_json_escape_utf8(void **s)
{
        char out[128];
        /* valid 2-, 3-, 4-byte sequences pass; U+2028 is escaped; bad bytes become U+FFFD */
        const char in[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x80\xa8\xff\xc3(\xed\xa0\x80";
        size_t n = log_json_escape(in, sizeof in - 1, out);
        out[n] = '\0';
        assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\u2028\\ufffd\\ufffd("
                                 "\\ufffd\\ufffd\\ufffd");
}

static void test_none_writes_nothing(void **s)
{
        struct ctr_log *l = NULL;
        assert_int_equal(ctr_log_open(LOG_DRIVER_NONE, path, 0, NULL, &l, NULL), 0);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDOUT, "x\n", 2, &ts), 0);
        ctr_log_free(l);
        assert_int_equal(access(path, F_OK), -1);
}

static void test_rotation(void **s)
{
        /* one record is 48 bytes: "<35> stdout F NN\n" */
        struct ctr_log *l = NULL;
        assert_int_equal(write_file_atomic(path, "old content\n", 12, 0600, NULL), 0);
        assert_int_equal(ctr_log_open(LOG_DRIVER_K8S_FILE, path, 100, NULL, &l, NULL), 0);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDOUT, "01\n02\n", 6, &ts), 0);
        char *t = NULL;
        assert_int_equal(read_full_file(path, &t, NULL, NULL), 0);
        /* 12 + 48 + 48 > 100: the old content went away before the second record */
        assert_string_equal(t, "2024-01-02T15:04:05.123456789+00:00 stdout F 02\n");
        free(t);
        assert_int_equal(ctr_log_write(l, CTR_STREAM_STDOUT, "03\n04\n05\n", 9, &ts), 0);
        ctr_log_free(l);
        t = slurp_and_remove();
        assert_string_equal(t, "2024-01-02T15:04:05.123456789+00:00 stdout F 04\n"
                               "2024-01-02T15:04:05.123456789+00:00 stdout F 05\n");
        free(t);
        char tmp[320];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        assert_int_equal(access(tmp, F_OK), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_driver_names),     cmocka_unit_test(test_k8s_timestamp),
                cmocka_unit_test(test_k8s_lines),        cmocka_unit_test(test_json_lines),
                cmocka_unit_test(test_json_escape_utf8), cmocka_unit_test(test_none_writes_nothing),
                cmocka_unit_test(test_rotation),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
