/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp4netns: options (podman's errors), addresses, command line, API messages, and the
 * helper's pid file (checked against the process's start time). */
#include <errno.h>
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

#include "network/slirp.h"
#include "util/fileio.h"
#include "util/strv.h"

static int parse(const char *opts, struct slirp_opts *o, char **msg)
{
        _cleanup_strv_ char **v = strv_split(opts, ",");
        _cleanup_error_ struct cu_error *err = NULL;
        slirp_opts_default(o);
        int r = slirp_opts_parse(v, o, &err);
        if (msg)
                *msg = r < 0 ? strdup(cu_error_msg(err)) : NULL;
        return r;
}

static void test_defaults_and_options(void **s)
{
        (void) s;
        struct slirp_opts o;
        assert_int_equal(parse("", &o, NULL), 0);
        assert_true(o.enable_ipv6);
        assert_false(o.allow_host_loopback);
        assert_false(o.rootlesskit);
        assert_int_equal(o.mtu, 65520);
        assert_string_equal(o.cidr, "");
        assert_int_equal(parse("allow_host_loopback=true,enable_ipv6=false,mtu=1500,cidr=10.0.3.0/24,"
                               "port_handler=rootlesskit,outbound_addr=127.0.0.1,outbound_addr6=lo",
                               &o, NULL),
                         0);
        assert_true(o.allow_host_loopback);
        assert_false(o.enable_ipv6);
        assert_true(o.rootlesskit);
        assert_int_equal(o.mtu, 1500);
        assert_string_equal(o.cidr, "10.0.3.0/24");
        assert_string_equal(o.outbound_addr, "127.0.0.1");
        assert_string_equal(o.outbound_addr6, "lo");
        assert_int_equal(parse("port_handler=slirp4netns", &o, NULL), 0);
        assert_false(o.rootlesskit);
}

static void test_bad_options(void **s)
{
        (void) s;
        /* podman 4.3's texts, checked side by side */
        const char *cases[][2] = {
                { "foo", "unknown option for slirp4netns: \"foo\"" },
                { "foo=bar", "unknown option for slirp4netns: \"foo=bar\"" },
                { "cidr=1.2.3.4", "invalid cidr \"1.2.3.4\"" },
                { "cidr=fd00::/64", "invalid cidr \"fd00::/64\"" },
                { "mtu=10", "invalid mtu \"10\"" },
                { "mtu=x", "invalid mtu \"x\"" },
                { "allow_host_loopback=maybe", "invalid value of allow_host_loopback for slirp4netns: \"maybe\"" },
                { "port_handler=x", "unknown port_handler for slirp4netns: \"x\"" },
                { "enable_ipv6=x", "invalid value of enable_ipv6 for slirp4netns: \"x\"" },
                { "outbound_addr=zz", "invalid outbound_addr \"zz\"" },
                { "outbound_addr=::1", "invalid outbound_addr \"::1\"" },
                { "outbound_addr6=1.2.3.4", "invalid outbound_addr6: \"1.2.3.4\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct slirp_opts o;
                char *msg = NULL;
                assert_int_equal(parse(cases[i][0], &o, &msg), -EINVAL);
                assert_string_equal(msg, cases[i][1]);
                free(msg);
        }
}

static void test_addresses(void **s)
{
        (void) s;
        struct slirp_opts o;
        struct cu_ip ip, gw, dns;
        unsigned prefix = 0;
        char a[CU_IP_STRLEN], b[CU_IP_STRLEN], c[CU_IP_STRLEN];
        slirp_opts_default(&o);
        assert_int_equal(slirp_addresses(&o, &ip, &gw, &dns, &prefix, NULL), 0);
        assert_string_equal(cu_ip_format(&ip, a), "10.0.2.100");
        assert_string_equal(cu_ip_format(&gw, b), "10.0.2.2");
        assert_string_equal(cu_ip_format(&dns, c), "10.0.2.3");
        assert_int_equal(prefix, 24);
        assert_int_equal(parse("cidr=192.168.77.0/25", &o, NULL), 0);
        assert_int_equal(slirp_addresses(&o, &ip, &gw, &dns, &prefix, NULL), 0);
        assert_string_equal(cu_ip_format(&ip, a), "192.168.77.100");
        assert_string_equal(cu_ip_format(&dns, c), "192.168.77.3");
        assert_int_equal(prefix, 25);
        /* too small a network for .100 */
        assert_int_equal(parse("cidr=10.1.0.0/28", &o, NULL), 0);
        assert_int_equal(slirp_addresses(&o, &ip, NULL, NULL, NULL, NULL), -EINVAL);
}

static void test_argv(void **s)
{
        (void) s;
        struct slirp_opts o;
        slirp_opts_default(&o);
        _cleanup_strv_ char **a = slirp_argv(&o, 3, 4, "api.sock", "/run/x/netns/abc");
        _cleanup_free_ char *line = strv_join(a, " ");
        /* podman's order and flags */
        assert_string_equal(line, "slirp4netns --disable-host-loopback --mtu=65520 --enable-sandbox --enable-seccomp "
                                  "--enable-ipv6 --api-socket api.sock -c -e 3 -r 4 --netns-type=path "
                                  "/run/x/netns/abc tap0");
        assert_int_equal(parse("allow_host_loopback=true,enable_ipv6=false,mtu=1500,cidr=10.0.3.0/24,"
                               "outbound_addr=127.0.0.1",
                               &o, NULL),
                         0);
        _cleanup_strv_ char **b = slirp_argv(&o, 3, 4, NULL, "/n");
        _cleanup_free_ char *line2 = strv_join(b, " ");
        assert_string_equal(line2, "slirp4netns --mtu=1500 --enable-sandbox --enable-seccomp --cidr=10.0.3.0/24 "
                                   "--outbound-addr=127.0.0.1 -c -e 3 -r 4 --netns-type=path /n tap0");
}

static void test_api_messages(void **s)
{
        (void) s;
        _cleanup_free_ char *req = slirp_hostfwd_request("tcp", "", 8080, "10.0.2.100", 80);
        assert_string_equal(req, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":"
                                 "\"0.0.0.0\",\"host_port\":8080,\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}}");
        _cleanup_free_ char *req2 = slirp_hostfwd_request("udp", "127.0.0.1", 53, "10.0.2.100", 5353);
        assert_non_null(strstr(req2, "\"host_addr\":\"127.0.0.1\""));
        assert_non_null(strstr(req2, "\"proto\":\"udp\""));
        assert_int_equal(slirp_hostfwd_reply("{\"return\": {\"id\": 1}}", NULL), 0);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(slirp_hostfwd_reply("{\"error\": {\"desc\": \"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}",
                                             &err),
                         -EIO);
        assert_string_equal(cu_error_msg(err), "bad request: add_hostfwd: slirp_add_hostfwd failed");
        assert_int_equal(slirp_hostfwd_reply("", NULL), -EIO);
        assert_int_equal(slirp_hostfwd_reply("{}", NULL), -EIO);
        assert_int_equal(slirp_hostfwd_reply(NULL, NULL), -EIO);
}

/* The pid file names a process by pid and start time: a reused pid is not taken for it. */
static void test_pid_file(void **s)
{
        (void) s;
        char dir[] = "/tmp/test-slirp-XXXXXX";
        assert_non_null(mkdtemp(dir));
        const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_int_equal(net_helper_pid(dir, id), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        char nd[256];
        snprintf(nd, sizeof nd, "%s/nethelper", dir);
        assert_int_equal(mkdir_p(nd, 0700), 0);
        assert_int_equal(net_helper_write_pid(dir, id, child, NULL), 0);
        assert_int_equal(net_helper_pid(dir, id), child);
        struct port_mapping pm = { .host_ip = "127.0.0.1", .host_port = 8080, .container_port = 80, .range = 1,
                                   .protocols = PORT_TCP };
        assert_int_equal(net_helper_save_ports(dir, id, &pm, 1, NULL), 0);
        struct port_mapping *back = NULL;
        size_t n = 0;
        assert_int_equal(net_helper_ports(dir, id, &back, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_int_equal(back[0].host_port, 8080);
        free(back);
        /* a different start time: not ours */
        char pf[512];
        snprintf(pf, sizeof pf, "%s/%s.pid", nd, id);
        char text[64];
        snprintf(text, sizeof text, "%d 1\n", (int) child);
        assert_int_equal(write_string_file(pf, text), 0);
        assert_int_equal(net_helper_pid(dir, id), 0);
        assert_int_equal(net_helper_stop(dir, id, NULL), 0);
        assert_int_equal(kill(child, 0), 0); /* left alone */
        /* ours: stopped, files gone */
        assert_int_equal(mkdir_p(nd, 0700), 0);
        assert_int_equal(net_helper_write_pid(dir, id, child, NULL), 0);
        assert_int_equal(net_helper_stop(dir, id, NULL), 0);
        int st = 0;
        assert_int_equal(waitpid(child, &st, 0), child);
        assert_true(WIFSIGNALED(st));
        assert_int_equal(access(pf, F_OK), -1);
        assert_int_equal(access(nd, F_OK), -1);
        assert_int_equal(net_helper_ports(dir, id, &back, &n, NULL), -ENOENT);
        assert_int_equal(net_helper_stop(dir, id, NULL), 0); /* idempotent */
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_and_options),
                cmocka_unit_test(test_bad_options),
                cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_argv),
                cmocka_unit_test(test_api_messages),
                cmocka_unit_test(test_pid_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
