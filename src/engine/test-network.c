/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --network & co. at create (the config) and in the spec (namespace, hosts, resolv.conf). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "network/networks.h"
#include "state/db.h"
#include "util/fileio.h"
#include "util/json.h"

static char dir[64];
static struct engine e;
static struct db *db;

static int setup(void **state)
{
        (void) state;
        strcpy(dir, "/tmp/cuttle-test-enet-XXXXXX");
        assert_non_null(mkdtemp(dir));
        char dbp[160];
        snprintf(dbp, sizeof dbp, "%s/state.db", dir);
        struct cu_error *err = NULL;
        assert_int_equal(db_open(dbp, &db, &err), 0);
        assert_int_equal(ctr_db_init(db, &err), 0);
        char *subs[] = { "10.234.1.0/24", NULL };
        struct network_create_opts o = { .name = "n1", .subnets = subs, .interface = "ctenet1",
                                         .skip_host_check = true };
        struct cu_network *n = NULL;
        assert_int_equal(network_create(db, &o, &n, &err), 0);
        network_free(n);
        e = (struct engine){ .db = db, .root = dir, .runroot = dir };
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        db = db_close(db);
        (void) rm_rf(dir);
        return 0;
}

/* Runs engine_config_network on opts; returns the config or NULL (err set). */
static json_t *config(const struct engine_create_opts *o, json_t *ic, struct cu_error **err)
{
        json_t *c = json_object();
        if (engine_config_network(&e, c, o, ic, err) < 0) {
                json_decref(c);
                return NULL;
        }
        return c;
}

static const char *mode(json_t *c)
{
        return json_string_value(json_object_get(c, "NetworkMode"));
}

static void test_default_is_bridge_on_podman(void **state)
{
        (void) state;
        struct engine_create_opts o = { 0 };
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *c = config(&o, NULL, &err);
        assert_non_null(c);
        assert_string_equal(mode(c), "bridge");
        json_t *nets = json_object_get(c, "Networks");
        assert_int_equal(json_array_size(nets), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(nets, 0), "Name")), "podman");
        assert_int_equal(engine_netmode(c, NULL), NETMODE_BRIDGE);
}

static void test_modes(void **state)
{
        (void) state;
        const char *in[] = { "none", "host", "private", "bridge", "ns:/proc/self/ns/net" };
        const char *want[] = { "none", "host", "bridge", "bridge", "ns:/proc/self/ns/net" };
        for (size_t i = 0; i < 5; i++) {
                char *v[] = { (char *) in[i], NULL };
                struct engine_create_opts o = { .net.networks = v };
                struct cu_error *err = NULL;
                _cleanup_json_ json_t *c = config(&o, NULL, &err);
                if (!c)
                        fail_msg("%s: %s", in[i], cu_error_msg(err));
                assert_string_equal(mode(c), want[i]);
        }
        const char *arg = NULL;
        _cleanup_json_ json_t *c = json_pack("{s:s}", "NetworkMode", "container:abc");
        assert_int_equal(engine_netmode(c, &arg), NETMODE_CONTAINER);
        assert_string_equal(arg, "abc");
}

static void test_named_networks_and_options(void **state)
{
        (void) state;
        char *v[] = { "n1:ip=10.234.1.9,mac=02:00:00:00:00:09,alias=a1", "podman", NULL };
        char *aliases[] = { "both", NULL };
        struct engine_create_opts o = { .net.networks = v, .net.aliases = aliases };
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *c = config(&o, NULL, &err);
        if (!c)
                fail_msg("%s", cu_error_msg(err));
        json_t *n0 = json_array_get(json_object_get(c, "Networks"), 0);
        assert_string_equal(json_string_value(json_object_get(n0, "Name")), "n1");
        assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "StaticIPs"), 0)), "10.234.1.9");
        assert_string_equal(json_string_value(json_object_get(n0, "MAC")), "02:00:00:00:00:09");
        assert_int_equal(json_array_size(json_object_get(n0, "Aliases")), 2);
        json_t *n1 = json_array_get(json_object_get(c, "Networks"), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(n1, "Aliases"), 0)), "both");
        /* "a,b" */
        char *v2[] = { "n1,podman", NULL };
        struct engine_create_opts o2 = { .net.networks = v2 };
        _cleanup_json_ json_t *c2 = config(&o2, NULL, &err);
        assert_non_null(c2);
        assert_int_equal(json_array_size(json_object_get(c2, "Networks")), 2);
}

static void expect_error(const struct engine_create_opts *o, json_t *ic, const char *text)
{
        struct cu_error *err = NULL;
        json_t *c = config(o, ic, &err);
        assert_null(c);
        if (!strstr(cu_error_msg(err), text))
                fail_msg("expected \"%s\", got \"%s\"", text, cu_error_msg(err));
        cu_error_free(err);
}

static void test_bad_input(void **state)
{
        (void) state;
        char *nope[] = { "nope", NULL }, *two[] = { "none", "host", NULL }, *mixed[] = { "n1,host", NULL };
        char *none[] = { "none", NULL }, *n1[] = { "n1", NULL }, *cont[] = { "container:ghost", NULL };
        expect_error(&(struct engine_create_opts){ .net.networks = nope }, NULL, "unable to find network with name or ID nope");
        expect_error(&(struct engine_create_opts){ .net.networks = two }, NULL, "conflicts with bridge");
        expect_error(&(struct engine_create_opts){ .net.networks = mixed }, NULL, "conflicts with bridge");
        expect_error(&(struct engine_create_opts){ .net.networks = none, .net.ip = "10.234.1.5" }, NULL,
                     "can only be used with Bridge mode networking");
        expect_error(&(struct engine_create_opts){ .net.networks = n1, .net.ip = "10.9.9.9" }, NULL,
                     "requested static ip 10.9.9.9 not in any subnet on network n1");
        expect_error(&(struct engine_create_opts){ .net.mac = "zz" }, NULL, "invalid MAC address zz");
        expect_error(&(struct engine_create_opts){ .net.networks = cont }, NULL, "ghost");
        char *dns[] = { "none", "1.1.1.1", NULL }, *bad[] = { "x", NULL }, *ah[] = { "a:1.2.3.4", NULL };
        expect_error(&(struct engine_create_opts){ .net.dns = dns }, NULL, "--dns=none cannot be used");
        expect_error(&(struct engine_create_opts){ .net.dns = bad }, NULL, "x is not an ip address");
        expect_error(&(struct engine_create_opts){ .net.add_hosts = ah, .net.no_hosts = true }, NULL,
                     "--no-hosts and --add-host cannot be set together");
        char *p[] = { "1:2:3:4", NULL };
        expect_error(&(struct engine_create_opts){ .net.publish = p }, NULL, "invalid port format");
}

static void test_ports_and_expose(void **state)
{
        (void) state;
        char *p[] = { "127.0.0.1:18299:80", NULL }, *ex[] = { "9000/udp", NULL };
        _cleanup_json_ json_t *ic = json_pack("{s:{s:{}}}", "ExposedPorts", "80/tcp");
        struct engine_create_opts o = { .net.publish = p, .net.publish_all = true, .net.expose = ex };
        struct cu_error *err = NULL;
        _cleanup_json_ json_t *c = config(&o, ic, &err);
        if (!c)
                fail_msg("%s", cu_error_msg(err));
        json_t *pm = json_object_get(c, "PortMappings");
        /* 80/tcp is published by -p already: -P adds only 9000/udp, on a random port */
        assert_int_equal(json_array_size(pm), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pm, 0), "host_port")), 18299);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pm, 1), "container_port")), 9000);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pm, 1), "host_port")), 0);
        /* no bridge: ports are discarded, as podman does */
        char *host[] = { "host", NULL };
        struct engine_create_opts o2 = { .net.networks = host, .net.publish = p };
        _cleanup_json_ json_t *c2 = config(&o2, NULL, &err);
        assert_non_null(c2);
        assert_int_equal(json_array_size(json_object_get(c2, "PortMappings")), 0);
}

static json_t *spec_for(json_t *c, json_t *mounts)
{
        json_t *spec = json_pack("{s:o, s:{s:[{s:s}, {s:s}]}, s:s}", "mounts", mounts ? mounts : json_array(),
                                 "linux", "namespaces", "type", "pid", "type", "network", "hostname", "h");
        struct engine_spec_ctx x = { .id = "0123456789ab", .c = c, .rootfd = -1, .rootfs = "/r", .bundle = "/b" };
        struct cu_error *err = NULL;
        if (engine_spec_network(spec, &x, &err) < 0)
                fail_msg("%s", cu_error_msg(err));
        return spec;
}

static json_t *ns_entry(json_t *spec, const char *type)
{
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), i, n)
                if (streq_ptr(json_string_value(json_object_get(n, "type")), type))
                        return n;
        return NULL;
}

static size_t count_dst(json_t *spec, const char *dst)
{
        size_t i, k = 0;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                k += streq_ptr(json_string_value(json_object_get(m, "destination")), dst);
        return k;
}

static void test_spec(void **state)
{
        (void) state;
        _cleanup_json_ json_t *h = json_pack("{s:s}", "NetworkMode", "host");
        _cleanup_json_ json_t *mh = json_pack("[{s:s, s:s}]", "destination", "/sys", "type", "sysfs");
        _cleanup_json_ json_t *s1 = spec_for(h, json_incref(mh));
        assert_null(ns_entry(s1, "network"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(s1, "mounts"), 0),
                                                              "type")), "bind");
        assert_int_equal(count_dst(s1, "/etc/hosts"), 1);
        assert_int_equal(count_dst(s1, "/etc/resolv.conf"), 1);

        _cleanup_json_ json_t *ns = json_pack("{s:s}", "NetworkMode", "ns:/run/netns/x");
        _cleanup_json_ json_t *s2 = spec_for(ns, NULL);
        assert_string_equal(json_string_value(json_object_get(ns_entry(s2, "network"), "path")), "/run/netns/x");

        /* --no-hosts, --dns none, a user's own /etc/hosts */
        _cleanup_json_ json_t *b = json_pack("{s:s, s:b, s:[s]}", "NetworkMode", "bridge", "NoHosts", 1, "DNS", "none");
        _cleanup_json_ json_t *s3 = spec_for(b, NULL);
        assert_non_null(ns_entry(s3, "network"));
        assert_int_equal(count_dst(s3, "/etc/hosts"), 0);
        assert_int_equal(count_dst(s3, "/etc/resolv.conf"), 0);
        _cleanup_json_ json_t *b2 = json_pack("{s:s}", "NetworkMode", "bridge");
        _cleanup_json_ json_t *s4 = spec_for(b2, json_pack("[{s:s}]", "destination", "/etc/hosts"));
        assert_int_equal(count_dst(s4, "/etc/hosts"), 1);
        assert_int_equal(count_dst(s4, "/etc/resolv.conf"), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_is_bridge_on_podman),
                cmocka_unit_test(test_modes),
                cmocka_unit_test(test_named_networks_and_options),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_ports_and_expose),
                cmocka_unit_test(test_spec),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
