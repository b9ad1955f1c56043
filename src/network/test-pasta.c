/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta's command line as podman builds it (ports, "none" defaults, --map-gw). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "network/pasta.h"
#include "util/strv.h"

static char *line_of(const struct port_mapping *pm, size_t n, const char *opts, bool root)
{
        _cleanup_strv_ char **o = opts ? strv_split(opts, ",") : NULL;
        int e = 0;
        _cleanup_strv_ char **a = pasta_argv(pm, n, o, "/run/ns/x", NULL, root, &e);
        return a ? strv_join(a, " ") : NULL;
}

static void test_defaults(void **s)
{
        (void) s;
        _cleanup_free_ char *l = line_of(NULL, 0, NULL, false);
        assert_string_equal(l, "pasta --config-net -t none -u none -T none -U none --no-map-gw --netns /run/ns/x");
        _cleanup_free_ char *r = line_of(NULL, 0, NULL, true);
        assert_string_equal(r, "pasta --config-net -t none -u none -T none -U none --no-map-gw --runas 0:0 "
                               "--netns /run/ns/x");
        int e = 0;
        _cleanup_strv_ char **p = pasta_argv(NULL, 0, NULL, "/n", "/run/pid", false, &e);
        _cleanup_free_ char *pl = strv_join(p, " ");
        assert_non_null(strstr(pl, " -P /run/pid --netns /n"));
}

static void test_ports(void **s)
{
        (void) s;
        struct port_mapping pm[] = {
                { .host_ip = "127.0.0.1", .host_port = 8080, .container_port = 80, .range = 1, .protocols = PORT_TCP },
                { .host_ip = "", .host_port = 5000, .container_port = 6000, .range = 3,
                  .protocols = PORT_TCP | PORT_UDP },
        };
        _cleanup_free_ char *l = line_of(pm, 2, NULL, false);
        assert_string_equal(l, "pasta --config-net -t 127.0.0.1/8080-8080:80-80 -t 5000-5002:6000-6002 "
                               "-u 5000-5002:6000-6002 -T none -U none --no-map-gw --netns /run/ns/x");
        struct port_mapping sctp = { .host_port = 1, .container_port = 1, .range = 1, .protocols = PORT_SCTP };
        int e = 0;
        assert_null(pasta_argv(&sctp, 1, NULL, "/n", NULL, false, &e));
        assert_int_equal(e, -EINVAL);
}

static void test_user_options(void **s)
{
        (void) s;
        /* the user's options come after the ports; the ones they set are not defaulted */
        _cleanup_free_ char *l = line_of(NULL, 0, "-T,auto,--map-gw,--mtu,1500", false);
        assert_string_equal(l, "pasta --config-net -T auto --mtu 1500 -t none -u none -U none --netns /run/ns/x");
        _cleanup_free_ char *l2 = line_of(NULL, 0, "--tcp-ports=22,--udp-ns,none,--runas,1000", true);
        assert_string_equal(l2, "pasta --config-net --tcp-ports=22 --udp-ns none --runas 1000 -u none -T none "
                                "--no-map-gw --netns /run/ns/x");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_ports),
                cmocka_unit_test(test_user_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
