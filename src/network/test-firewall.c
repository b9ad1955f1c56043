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

#include "network/firewall.h"

static void test_container_rules(void **s)
{
        (void) s;
        struct cu_cidr sub;
        cu_cidr_parse("10.88.0.0/16", &sub, NULL, NULL);
        struct fw_net net = { .bridge = "podman0", .subnets = &sub, .n_subnets = 1 };
        struct port_mapping pm[2] = { { .host_port = 8080, .container_port = 80, .range = 2, .protocols = PORT_TCP },
                                      { .host_port = 53, .container_port = 53, .range = 1, .protocols = PORT_UDP } };
        strcpy(pm[1].host_ip, "127.0.0.1");
        struct fw_ctr c = { .id = "0123456789abcdef", .ports = pm, .n_ports = 2 };
        cu_ip_parse("10.88.0.2", &c.ip4, NULL);
        struct fw_state st = { &net, 1, &c, 1 };
        struct fw_change chg = { .add = &c };
        _cleanup_free_ char *t = NULL;
        assert_int_equal(fw_build(&st, &chg, &t, NULL), 0);
        static const char *const want[] = {
                "add table inet cuttle\n",
                "add rule inet cuttle nat-podman0 ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade\n",
                "add rule inet cuttle ctr-0123456789ab meta nfproto ipv4 meta l4proto tcp th dport 8080 dnat ip to 10.88.0.2:80\n",
                "add rule inet cuttle ctr-0123456789ab meta nfproto ipv4 meta l4proto tcp th dport 8081 dnat ip to 10.88.0.2:81\n",
                "add rule inet cuttle ctr-0123456789ab ip daddr 127.0.0.1 meta l4proto udp th dport 53 dnat ip to 10.88.0.2:53\n",
                "add rule inet cuttle prerouting fib daddr type local jump ports\n",
                "add rule inet cuttle output fib daddr type local jump ports\n",
                "add rule inet cuttle postrouting iifname \"podman0\" jump nat-podman0\n",
                "add rule inet cuttle ports jump ctr-0123456789ab\n",
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                if (!strstr(t, want[i]))
                        fprintf(stderr, "missing: %s--- in:\n%s", want[i], t);
                assert_non_null(strstr(t, want[i]));
        }
        /* the chain is filled after it was flushed, the dispatch after the chains exist */
        assert_true(strstr(t, "flush chain inet cuttle ctr-0123456789ab") < strstr(t, "dnat ip to 10.88.0.2:80"));
        assert_true(strstr(t, "add chain inet cuttle nat-podman0") < strstr(t, "jump nat-podman0"));
        assert_null(strstr(t, "delete"));
}

static void test_remove_and_internal(void **s)
{
        (void) s;
        struct cu_cidr sub;
        cu_cidr_parse("10.90.0.0/24", &sub, NULL, NULL);
        struct fw_net net = { .bridge = "cuttle3", .subnets = &sub, .n_subnets = 1, .internal = true };
        struct fw_state st = { &net, 1, NULL, 0 };
        char *gone[] = { "cuttle9", NULL };
        struct fw_change chg = { .remove_id = "feedfacefeedface", .remove_bridges = gone };
        _cleanup_free_ char *t = NULL;
        assert_int_equal(fw_build(&st, &chg, &t, NULL), 0);
        assert_null(strstr(t, "masquerade\n") && strstr(t, "nat-cuttle3 ip saddr") ? "x" : NULL);
        assert_non_null(strstr(t, "add rule inet cuttle fwd-cuttle3 oifname != \"cuttle3\" drop\n"));
        assert_non_null(strstr(t, "add rule inet cuttle in-cuttle3 iifname != \"cuttle3\" drop\n"));
        assert_non_null(strstr(t, "add chain inet cuttle ctr-feedfacefeed\ndelete chain inet cuttle ctr-feedfacefeed\n"));
        assert_non_null(strstr(t, "delete chain inet cuttle nat-cuttle9\n"));
        /* removals come after the base chains were rewritten without them */
        assert_true(strstr(t, "flush chain inet cuttle postrouting") < strstr(t, "delete chain inet cuttle nat-cuttle9"));
        struct fw_change rl = { .reload = true };
        _cleanup_free_ char *r = NULL;
        assert_int_equal(fw_build(&st, &rl, &r, NULL), 0);
        assert_true(strncmp(r, "add table inet cuttle\ndelete table inet cuttle\n", 47) == 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_container_rules),
                cmocka_unit_test(test_remove_and_internal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
