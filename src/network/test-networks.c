/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network definitions: the configuration (default_network, default_subnet, the network
 * config directory), the built-in default network, both stores, leases on networks that
 * live outside the database, and the schema step that drops the stored default. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "network/ipam.h"
#include "network/netfiles.h"
#include "network/networks.h"
#include "util/fileio.h"

static char dir[] = "/tmp/cuttle-test-networks-XXXXXX";
static char dbp[256], nets[256];

static int setup(void **s)
{
        (void) s;
        assert_non_null(mkdtemp(dir));
        snprintf(dbp, sizeof(dbp), "%s/state.db", dir);
        snprintf(nets, sizeof(nets), "%s/nets", dir);
        return 0;
}

static int teardown(void **s)
{
        (void) s;
        (void) networks_set_config(NULL, NULL);
        return rm_rf(dir) == 0 ? 0 : -1;
}

static int reset(void **s)
{
        (void) s;
        assert_int_equal(networks_set_config(NULL, NULL), 0);
        unlink(dbp);
        char p[300];
        snprintf(p, sizeof(p), "%s-wal", dbp);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", dbp);
        unlink(p);
        (void) rm_rf(nets);
        return 0;
}

static const char *subnet_of(const struct cu_network *n, char b[static CU_IP_STRLEN])
{
        return cu_cidr_format(&n->subnets[0].subnet, b);
}

static void test_config_checks(void **s)
{
        (void) s;
        static const struct { const char *sub, *msg; } bad[] = {
                { "10.300.0.0/16", "failed to parse default subnet: invalid CIDR address: 10.300.0.0/16" },
                { "banana", "failed to parse default subnet: invalid CIDR address: banana" },
                { "10.1.0.0/31", "failed to parse default subnet: subnet 10.1.0.0/31 is too small" },
                { "10.1.0.0/32", "failed to parse default subnet: subnet 10.1.0.0/32 is too small" },
        };
        struct networks_config good = { .default_network = "net0", .default_subnet = "10.99.0.0/16" };
        assert_int_equal(networks_set_config(&good, NULL), 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct networks_config c = { .default_subnet = bad[i].sub };
                _cleanup_error_ struct cu_error *err = NULL;
                assert_int_equal(networks_set_config(&c, &err), -EINVAL);
                assert_string_equal(cu_error_msg(err), bad[i].msg);
                /* the previous configuration stays */
                assert_string_equal(network_default_name(), "net0");
        }
        struct networks_config badname = { .default_network = "a/b" };
        assert_int_equal(networks_set_config(&badname, NULL), -EINVAL);
        assert_string_equal(network_default_name(), "net0");
        assert_true(network_is_default("net0"));
        assert_false(network_is_default("podman"));
        assert_null(networks_config_dir());
        assert_int_equal(networks_set_config(NULL, NULL), 0);
        assert_string_equal(network_default_name(), "podman");
}

static void test_default_follows_config(void **s)
{
        (void) s;
        struct db *db = NULL;
        assert_int_equal(db_open(dbp, &db, NULL), 0);
        char b[CU_IP_STRLEN];
        struct cu_network *n = NULL;
        assert_int_equal(network_get(db, "podman", &n, NULL), 0);
        assert_string_equal(subnet_of(n, b), "10.88.0.0/16");
        network_free(n);
        /* host bits cleared; the gateway is the first address; ID and bridge fixed */
        struct networks_config c = { .default_network = "mynet", .default_subnet = "10.123.0.77/24" };
        assert_int_equal(networks_set_config(&c, NULL), 0);
        assert_int_equal(network_get(db, "mynet", &n, NULL), 0);
        assert_string_equal(subnet_of(n, b), "10.123.0.0/24");
        assert_string_equal(cu_ip_format(&n->subnets[0].gateway, b), "10.123.0.1");
        assert_string_equal(n->interface, "podman0");
        assert_string_equal(n->id, "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9");
        assert_false(n->ipv6);
        network_free(n);
        n = NULL;
        assert_int_equal(network_get(db, "2f259bab", &n, NULL), 0);
        assert_string_equal(n->name, "mynet");
        network_free(n);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(network_get(db, "podman", &n, &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(network_remove(db, "mynet", false, &err), -EPERM);
        assert_string_equal(cu_error_msg(err), "default network mynet cannot be removed");
        cu_error_clear(&err);
        /* "podman" is an ordinary name now; the default's name is taken */
        char *subs[] = { "10.124.0.0/24", NULL };
        struct network_create_opts o = { .name = "podman", .subnets = subs, .skip_host_check = true };
        assert_int_equal(network_create(db, &o, &n, NULL), 0);
        assert_string_equal(n->interface, "cuttle0");
        network_free(n);
        o.name = "mynet";
        subs[0] = "10.125.0.0/24";
        assert_int_equal(network_create(db, &o, &n, &err), -EEXIST);
        cu_error_clear(&err);
        /* a subnet overlapping the configured default is taken */
        o.name = "x";
        subs[0] = "10.123.0.128/25";
        assert_int_equal(network_create(db, &o, &n, &err), -EADDRINUSE);
        cu_error_clear(&err);
        struct cu_network **v = NULL;
        size_t k = 0;
        assert_int_equal(network_list(db, &v, &k, NULL), 0);
        assert_int_equal(k, 2);
        assert_string_equal(v[0]->name, "mynet");
        assert_string_equal(v[1]->name, "podman");
        networks_free(v, k);
        /* IPv6 default */
        struct networks_config c6 = { .default_subnet = "fd00:1::/64" };
        assert_int_equal(networks_set_config(&c6, NULL), 0);
        assert_int_equal(network_builtin_default(&n, NULL), 0);
        assert_true(n->ipv6);
        assert_string_equal(cu_ip_format(&n->subnets[0].gateway, b), "fd00:1::1");
        network_free(n);
        db_close(db);
}

static void test_file_store(void **s)
{
        (void) s;
        struct db *db = NULL;
        assert_int_equal(db_open(dbp, &db, NULL), 0);
        struct networks_config c = { .config_dir = nets };
        assert_int_equal(networks_set_config(&c, NULL), 0);
        assert_string_equal(networks_config_dir(), nets);
        char *subs[] = { "10.126.0.0/24", NULL };
        struct network_create_opts o = { .name = "f1", .subnets = subs, .skip_host_check = true };
        struct cu_network *n = NULL;
        assert_int_equal(network_create(db, &o, &n, NULL), 0);
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/f1.json", nets);
        assert_int_equal(access(p, F_OK), 0);
        /* a lease on a network that is not in the database */
        struct net_lease *l = NULL;
        size_t nl = 0;
        assert_int_equal(ipam_allocate(db, n, "c1c1c1c1c1c1", NULL, NULL, &l, &nl, NULL), 0);
        assert_int_equal(nl, 1);
        free(l);
        network_free(n);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(network_remove(db, "f1", false, &err), -EBUSY);
        cu_error_clear(&err);
        assert_int_equal(access(p, F_OK), 0);
        assert_int_equal(network_remove(db, "f1", true, NULL), 0);
        assert_int_equal(access(p, F_OK), -1);
        assert_int_equal(network_lease_count(db, "f1", NULL), 0);
        assert_int_equal(network_remove(db, "f1", false, &err), -ENOENT);
        cu_error_clear(&err);
        /* a stored definition of the default's name wins over the built-in one */
        o.name = "other";
        assert_int_equal(network_create(db, &o, &n, NULL), 0);
        free(n->name);
        n->name = strdup("podman");
        assert_int_equal(netfiles_write(nets, n, NULL), 0);
        network_free(n);
        assert_int_equal(network_get(db, "podman", &n, NULL), 0);
        char b[CU_IP_STRLEN];
        assert_string_equal(subnet_of(n, b), "10.126.0.0/24");
        network_free(n);
        struct cu_network **v = NULL;
        size_t k = 0;
        assert_int_equal(network_list(db, &v, &k, NULL), 0);
        assert_int_equal(k, 2);
        networks_free(v, k);
        /* the database's networks are not seen meanwhile, and the other way round */
        assert_int_equal(networks_set_config(NULL, NULL), 0);
        assert_int_equal(network_get(db, "other", &n, &err), -ENOENT);
        db_close(db);
}

/* A database of the first schema, with the default record cuttle used to make and a lease
 * on it: the step drops the record (the default follows the configuration) and keeps the
 * lease. */
static void test_schema_step_two(void **s)
{
        (void) s;
        struct db *db = NULL;
        assert_int_equal(db_open(dbp, &db, NULL), 0);
        assert_int_equal(db_exec(db,
                "CREATE TABLE IF NOT EXISTS schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);"
                "INSERT INTO schema VALUES ('networks', 1);"
                "CREATE TABLE networks (name TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, interface TEXT NOT NULL UNIQUE,"
                "  data TEXT NOT NULL);"
                "CREATE TABLE network_leases (network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,"
                "  container TEXT NOT NULL, family INTEGER NOT NULL, ip TEXT NOT NULL, prefix INTEGER NOT NULL,"
                "  gateway TEXT, mac TEXT, PRIMARY KEY (network, container, family), UNIQUE (network, ip));"
                "CREATE INDEX network_leases_container ON network_leases(container);"
                "CREATE TABLE network_attachments (container TEXT PRIMARY KEY, data TEXT NOT NULL);"
                "INSERT INTO networks VALUES ('podman', '2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9',"
                "  'podman0', '{\"name\":\"podman\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\","
                "  \"driver\":\"bridge\",\"network_interface\":\"podman0\",\"created\":\"\",\"subnets\":[{\"subnet\":"
                "  \"10.88.0.0/16\",\"gateway\":\"10.88.0.1\"}]}');"
                "INSERT INTO network_leases VALUES ('podman', 'c2c2c2c2c2c2', 2, '10.88.0.2', 16, '10.88.0.1', "
                "  '02:42:0a:58:00:02');", NULL), 0);
        db_close(db);
        db = NULL;
        assert_int_equal(db_open(dbp, &db, NULL), 0);
        struct networks_config c = { .default_subnet = "10.127.0.0/24" };
        assert_int_equal(networks_set_config(&c, NULL), 0);
        struct cu_network *n = NULL;
        assert_int_equal(network_get(db, "podman", &n, NULL), 0);
        char b[CU_IP_STRLEN];
        assert_string_equal(subnet_of(n, b), "10.127.0.0/24");
        /* the old lease stays (its container keeps its address until restarted) and a lease
         * outside the subnet does not upset the allocator */
        assert_int_equal(network_lease_count(db, "podman", NULL), 1);
        struct net_lease *l = NULL;
        size_t nl = 0;
        assert_int_equal(ipam_allocate(db, n, "c3c3c3c3c3c3", NULL, NULL, &l, &nl, NULL), 0);
        assert_string_equal(cu_ip_format(&l[0].ip, b), "10.127.0.2");
        free(l);
        l = NULL;
        assert_int_equal(ipam_leases(db, "podman", "c2c2c2c2c2c2", &l, &nl, NULL), 0);
        assert_int_equal(nl, 1);
        assert_string_equal(cu_ip_format(&l[0].ip, b), "10.88.0.2");
        free(l);
        network_free(n);
        assert_int_equal(ipam_release(db, NULL, "c2c2c2c2c2c2", NULL), 0);
        assert_int_equal(ipam_release(db, NULL, "c3c3c3c3c3c3", NULL), 0);
        db_close(db);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_config_checks, reset),
                cmocka_unit_test_setup(test_default_follows_config, reset),
                cmocka_unit_test_setup(test_file_store, reset),
                cmocka_unit_test_setup(test_schema_step_two, reset),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
