/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exit file text, exit codes from wait statuses, the exit command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "monitor/exitfile.h"
#include "util/fileio.h"

static void test_exit_codes(void **s)
{
        assert_int_equal(exit_code_from_status(0), 0);
        assert_int_equal(exit_code_from_status(3 << 8), 3);
        assert_int_equal(exit_code_from_status(9), 137);  /* killed by SIGKILL */
        assert_int_equal(exit_code_from_status(15), 143); /* SIGTERM */
}

static void test_rfc3339nano(void **s)
{
        char buf[RFC3339NANO_MAX];
        struct timespec t = { .tv_sec = 1704207845, .tv_nsec = 123456789 };
        assert_string_equal(format_rfc3339nano(&t, buf), "2024-01-02T15:04:05.123456789Z");
        t.tv_nsec = 120000000;
        assert_string_equal(format_rfc3339nano(&t, buf), "2024-01-02T15:04:05.12Z");
        t.tv_nsec = 0;
        assert_string_equal(format_rfc3339nano(&t, buf), "2024-01-02T15:04:05Z");
        t.tv_nsec = 1;
        assert_string_equal(format_rfc3339nano(&t, buf), "2024-01-02T15:04:05.000000001Z");
}

static void test_text_and_file(void **s)
{
        struct timespec t = { .tv_sec = 1704207845, .tv_nsec = 5 };
        char *x = exit_file_text(137, &t, false, 2);
        assert_string_equal(x, "{\"exitCode\":137,\"exitedAt\":\"2024-01-02T15:04:05.000000005Z\","
                               "\"oomKilled\":false,\"restartCount\":2}");
        char dir[] = "/tmp/cuttle-test-exitfile-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[64];
        snprintf(path, sizeof path, "%s/exit", dir);
        assert_int_equal(exit_file_write(path, 137, &t, false, 2, NULL), 0);
        char *back = NULL;
        assert_int_equal(read_full_file(path, &back, NULL, NULL), 0);
        assert_string_equal(back, x);
        free(back);
        free(x);
        assert_int_equal(rm_rf(dir), 0);
        assert_true(exit_file_write("/nonexistent-dir/x", 0, &t, false, 0, NULL) < 0);
}

static void test_exit_command(void **s)
{
        char dir[] = "/tmp/cuttle-test-exitcmd-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char script[128];
        snprintf(script, sizeof script, "echo ok > %s/ran; exit 4", dir);
        char *argv[] = { "sh", "-c", script, NULL };
        assert_int_equal(exit_command_run(argv, NULL), 4);
        char path[80], *t = NULL;
        snprintf(path, sizeof path, "%s/ran", dir);
        assert_int_equal(read_full_file(path, &t, NULL, NULL), 0);
        assert_string_equal(t, "ok\n");
        free(t);
        char *missing[] = { "/nonexistent/cmd", NULL };
        assert_int_equal(exit_command_run(missing, NULL), 127);
        char *empty[] = { NULL };
        assert_true(exit_command_run(empty, NULL) < 0);
        assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_codes),
                cmocka_unit_test(test_rfc3339nano),
                cmocka_unit_test(test_text_and_file),
                cmocka_unit_test(test_exit_command),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
