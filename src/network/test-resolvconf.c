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

#include "network/resolvconf.h"

static void test_build(void **s)
{
        (void) s;
        const char *host = "# hi\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver fd00::1\nsearch a.example b.example\noptions ndots:2\n";
        struct resolvconf_params p = { .host_text = host };
        _cleanup_free_ char *t = NULL;
        assert_int_equal(resolvconf_build(&p, &t, NULL), 0);
        assert_string_equal(t, "search a.example b.example\nnameserver 10.0.0.1\noptions ndots:2\n");
        free(t);
        p.ipv6 = true;
        assert_int_equal(resolvconf_build(&p, &t, NULL), 0);
        assert_string_equal(t, "search a.example b.example\nnameserver 10.0.0.1\nnameserver fd00::1\noptions ndots:2\n");
        free(t);
        p.host_text = "nameserver 127.0.0.1\n";
        p.ipv6 = false;
        assert_int_equal(resolvconf_build(&p, &t, NULL), 0);
        assert_string_equal(t, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        free(t);
        char *dns[] = { "1.1.1.1", NULL }, *search[] = { ".", NULL }, *opts[] = { "edns0", NULL };
        p.host_text = host;
        p.nameservers = dns;
        p.search = search;
        p.options = opts;
        assert_int_equal(resolvconf_build(&p, &t, NULL), 0);
        assert_string_equal(t, "nameserver 1.1.1.1\noptions ndots:2 edns0\n");
        free(t);
        t = NULL;
        char *bad[] = { "nope", NULL };
        p.nameservers = bad;
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(resolvconf_build(&p, &t, &err), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_build) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
