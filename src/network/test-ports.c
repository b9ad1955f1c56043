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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "network/ports.h"

static void test_parse(void **s)
{
        (void) s;
        struct port_mapping *v = NULL;
        size_t n = 0;
        assert_int_equal(ports_parse("80", &v, &n, NULL), 0);
        assert_int_equal(ports_parse("8080:80/udp", &v, &n, NULL), 0);
        assert_int_equal(ports_parse("127.0.0.1:9000-9002:90-92/tcp,udp", &v, &n, NULL), 0);
        assert_int_equal(ports_parse("[::1]:81:82", &v, &n, NULL), 0);
        assert_int_equal(ports_parse("127.0.0.1::83", &v, &n, NULL), 0);
        assert_int_equal(n, 5);
        assert_int_equal(v[0].container_port, 80);
        assert_int_equal(v[0].host_port, 0);
        assert_int_equal(v[1].host_port, 8080);
        assert_int_equal(v[1].protocols, PORT_UDP);
        assert_string_equal(v[2].host_ip, "127.0.0.1");
        assert_int_equal(v[2].range, 3);
        assert_int_equal(v[2].protocols, PORT_TCP | PORT_UDP);
        assert_string_equal(v[3].host_ip, "::1");
        assert_int_equal(v[4].host_port, 0);
        _cleanup_free_ char *str = ports_to_string(v + 1, 2);
        assert_string_equal(str, "0.0.0.0:8080->80/udp, 127.0.0.1:9000-9002->90-92/tcp, 127.0.0.1:9000-9002->90-92/udp");
        free(v);
        v = NULL;
        n = 0;
        static const char *const bad[] = { "", "abc", "0", "70000", "1:2:3:4", "80/foo", "1-3:1-2",
                                           "300.1.1.1:80:80", ":", "[::1:80:80", "5-3" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_error_ struct cu_error *err = NULL;
                assert_int_equal(ports_parse(bad[i], &v, &n, &err), -EINVAL);
                assert_non_null(err);
        }
        assert_int_equal(n, 0);
        _cleanup_error_ struct cu_error *err = NULL;
        ports_parse("80/foo", &v, &n, &err);
        assert_string_equal(cu_error_msg(err), "invalid protocol \"foo\"");
        free(v);
}

static void test_overlap_and_in_use(void **s)
{
        (void) s;
        struct port_mapping *v = NULL;
        size_t n = 0;
        ports_parse("8080-8090:80-90", &v, &n, NULL);
        ports_parse("127.0.0.1:8085:80", &v, &n, NULL);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(ports_check_overlap(v, n, &err), -EADDRINUSE);
        free(v);
        /* a port somebody listens on is refused */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 1), 0);
        socklen_t len = sizeof(sa);
        getsockname(fd, (struct sockaddr *) &sa, &len);
        struct port_mapping m = { .host_port = ntohs(sa.sin_port), .container_port = 80, .range = 1, .protocols = PORT_TCP };
        strcpy(m.host_ip, "127.0.0.1");
        cu_error_clear(&err);
        assert_int_equal(ports_assign(&m, 1, &err), -EADDRINUSE);
        assert_non_null(strstr(cu_error_msg(err), "address already in use"));
        close(fd);
        struct port_mapping r = { .container_port = 80, .range = 1, .protocols = PORT_TCP };
        cu_error_clear(&err);
        assert_int_equal(ports_assign(&r, 1, &err), 0);
        assert_true(r.host_port > 0);
        json_t *j = ports_save_json(&r, 1);
        struct port_mapping *back = NULL;
        size_t nb = 0;
        assert_int_equal(ports_load_json(j, &back, &nb, NULL), 0);
        assert_int_equal(nb, 1);
        assert_int_equal(back->host_port, r.host_port);
        assert_int_equal(back->container_port, 80);
        assert_int_equal(back->protocols, PORT_TCP);
        assert_string_equal(back->host_ip, "");
        json_decref(j);
        free(back);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_overlap_and_in_use),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
