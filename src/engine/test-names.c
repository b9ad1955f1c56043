/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/container.h"

static void test_names_shape(void **state)
{
        (void) state;
        char buf[128];
        for (int i = 0; i < 200; i++) {
                assert_int_equal(engine_name_generate(buf, sizeof buf), 0);
                assert_true(ctr_name_valid(buf));
                char *u = strchr(buf, '_');
                assert_non_null(u);
                assert_null(strchr(u + 1, '_'));
                assert_true(u > buf && u[1] != '\0');
                assert_string_not_equal(buf, "boring_wozniak");
        }
}

static void test_names_vary(void **state)
{
        (void) state;
        char a[128], b[128];
        int same = 0;
        for (int i = 0; i < 20; i++) {
                assert_int_equal(engine_name_generate(a, sizeof a), 0);
                assert_int_equal(engine_name_generate(b, sizeof b), 0);
                same += strcmp(a, b) == 0;
        }
        assert_true(same < 5);
}

static void test_names_small_buffer(void **state)
{
        (void) state;
        char small[4];
        assert_int_equal(engine_name_generate(small, sizeof small), -ENOBUFS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_shape),
                cmocka_unit_test(test_names_vary),
                cmocka_unit_test(test_names_small_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
