/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "network/cidr.h"

static void test_parse_format(void **s)
{
        (void) s;
        struct cu_cidr c;
        struct cu_ip host;
        char b[CU_IP_STRLEN];
        assert_int_equal(cu_cidr_parse("10.88.3.7/16", &c, &host, NULL), 0);
        assert_string_equal(cu_cidr_format(&c, b), "10.88.0.0/16");
        assert_string_equal(cu_ip_format(&host, b), "10.88.3.7");
        assert_int_equal(cu_cidr_parse("fd00:1:2::5/64", &c, NULL, NULL), 0);
        assert_string_equal(cu_cidr_format(&c, b), "fd00:1:2::/64");
        _cleanup_error_ struct cu_error *err = NULL;
        static const char *const bad[] = { "10.999.0.0/16", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "/8",
                                           "10.0.0.0/8x", "fd00::/129", "", "10.0.0.0/", "a.b.c.d/8" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cu_error_clear(&err);
                assert_int_equal(cu_cidr_parse(bad[i], &c, NULL, &err), -EINVAL);
        }
        cu_error_clear(&err);
        cu_cidr_parse("10.999.0.0/16", &c, NULL, &err);
        assert_string_equal(cu_error_msg(err), "invalid CIDR address: 10.999.0.0/16");
        struct cu_ip ip;
        assert_int_equal(cu_ip_parse("::ffff:1.2.3.4", &ip, NULL), 0);
        assert_int_equal(ip.family, AF_INET);
        assert_int_equal(cu_ip_parse("1.2.3", &ip, NULL), -EINVAL);
}

static void test_overlap_gateway(void **s)
{
        (void) s;
        struct cu_cidr a, b2, c;
        char b[CU_IP_STRLEN];
        cu_cidr_parse("10.88.0.0/16", &a, NULL, NULL);
        cu_cidr_parse("10.88.5.0/24", &b2, NULL, NULL);
        cu_cidr_parse("10.89.0.0/24", &c, NULL, NULL);
        assert_true(cu_cidr_overlaps(&a, &b2));
        assert_true(cu_cidr_overlaps(&b2, &a));
        assert_false(cu_cidr_overlaps(&a, &c));
        struct cu_ip gw, last;
        assert_int_equal(cu_cidr_default_gateway(&a, &gw), 0);
        assert_string_equal(cu_ip_format(&gw, b), "10.88.0.1");
        cu_cidr_last(&a, &last);
        assert_string_equal(cu_ip_format(&last, b), "10.88.255.255");
        cu_cidr_mask(&a, &last);
        assert_string_equal(cu_ip_format(&last, b), "255.255.0.0");
        struct cu_ip n;
        assert_int_equal(cu_cidr_nth(&c, 255, &n), 0);
        assert_int_equal(cu_cidr_nth(&c, 256, &n), -ERANGE);
        struct cu_cidr v6;
        cu_cidr_parse("fd00::/120", &v6, NULL, NULL);
        assert_int_equal(cu_cidr_nth(&v6, 300, &n), -ERANGE);
        assert_int_equal(cu_cidr_nth(&v6, 17, &n), 0);
        assert_string_equal(cu_ip_format(&n, b), "fd00::11");
        uint64_t d;
        struct cu_ip x, y;
        cu_ip_parse("10.0.0.250", &x, NULL);
        cu_ip_parse("10.0.1.4", &y, NULL);
        assert_int_equal(cu_ip_diff(&x, &y, &d), 0);
        assert_int_equal(d, 10);
        assert_int_equal(cu_ip_diff(&y, &x, &d), -ERANGE);
        assert_false(cu_cidr_contains(&a, &n));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_format),
                cmocka_unit_test(test_overlap_gateway),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
