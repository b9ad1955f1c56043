/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restart policies: parsing, decisions, back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "monitor/restart.h"

static void test_parse(void **s)
{
        struct restart_spec r;
        assert_int_equal(restart_spec_parse("no", &r, NULL), 0);
        assert_int_equal(r.policy, RESTART_NO);
        assert_int_equal(restart_spec_parse("", &r, NULL), 0);
        assert_int_equal(r.policy, RESTART_NO);
        assert_int_equal(restart_spec_parse("always", &r, NULL), 0);
        assert_int_equal(r.policy, RESTART_ALWAYS);
        assert_int_equal(restart_spec_parse("unless-stopped", &r, NULL), 0);
        assert_int_equal(r.policy, RESTART_UNLESS_STOPPED);
        assert_int_equal(restart_spec_parse("on-failure", &r, NULL), 0);
        assert_int_equal(r.policy, RESTART_ON_FAILURE);
        assert_int_equal(r.max_retries, 0);
        assert_int_equal(restart_spec_parse("on-failure:5", &r, NULL), 0);
        assert_int_equal(r.max_retries, 5);
        assert_int_equal(restart_spec_parse("on-failure:x", &r, NULL), -EINVAL);
        assert_int_equal(restart_spec_parse("on-failure:", &r, NULL), -EINVAL);
        assert_int_equal(restart_spec_parse("always:3", &r, NULL), -EINVAL);
        assert_int_equal(restart_spec_parse("sometimes", &r, NULL), -EINVAL);
        assert_int_equal(restart_spec_parse("on", &r, NULL), -EINVAL);
}

static void test_decide(void **s)
{
        struct restart_spec no = { RESTART_NO, 0 }, of2 = { RESTART_ON_FAILURE, 2 },
                            of = { RESTART_ON_FAILURE, 0 }, al = { RESTART_ALWAYS, 0 },
                            us = { RESTART_UNLESS_STOPPED, 0 };
        assert_false(restart_decide(&no, 1, 0, false));
        assert_true(restart_decide(&of2, 1, 0, false));
        assert_true(restart_decide(&of2, 137, 1, false));
        assert_false(restart_decide(&of2, 1, 2, false));
        assert_false(restart_decide(&of2, 0, 0, false));
        assert_true(restart_decide(&of, 1, 1000, false));
        assert_true(restart_decide(&al, 0, 7, false));
        assert_true(restart_decide(&us, 0, 7, false));
        assert_false(restart_decide(&al, 0, 0, true));
        assert_false(restart_decide(&of2, 1, 0, true));
}

static void test_delay(void **s)
{
        assert_int_equal(restart_delay_ms(0), 0);
        assert_int_equal(restart_delay_ms(1), 100);
        assert_int_equal(restart_delay_ms(2), 200);
        assert_int_equal(restart_delay_ms(4), 800);
        assert_int_equal(restart_delay_ms(8), RESTART_MAX_DELAY_MS);
        assert_int_equal(restart_delay_ms(1000), RESTART_MAX_DELAY_MS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_decide),
                cmocka_unit_test(test_delay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
