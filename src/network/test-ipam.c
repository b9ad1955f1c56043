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

#include <limits.h>
#include <sys/wait.h>
#include "network/ipam.h"
#include "network/networks.h"

static char dir[] = "/tmp/cuttle-test-ipam-XXXXXX";
static char dbp[PATH_MAX];

static struct db *open_db(void)
{
        struct db *db = NULL;
        assert_int_equal(db_open(dbp, &db, NULL), 0);
        return db;
}

static int setup(void **s)
{
        (void) s;
        assert_non_null(mkdtemp(dir));
        snprintf(dbp, sizeof(dbp), "%s/state.db", dir);
        return 0;
}

static int teardown(void **s)
{
        (void) s;
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static struct cu_network *mknet(struct db *db, const char *name, const char *sub, const char *range)
{
        char *subs[] = { (char *) sub, NULL }, *ranges[] = { (char *) range, NULL };
        struct network_create_opts o = { .name = name, .subnets = subs, .ip_ranges = range ? ranges : NULL,
                                         .skip_host_check = true };
        struct cu_network *n = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        int r = network_create(db, &o, &n, &err);
        if (r < 0)
                fprintf(stderr, "%s\n", cu_error_msg(err));
        assert_int_equal(r, 0);
        return n;
}

static void test_networks(void **s)
{
        (void) s;
        _cleanup_db_ struct db *db = open_db();
        struct cu_network *def = NULL;
        assert_int_equal(network_get(db, "podman", &def, NULL), 0);
        assert_string_equal(def->interface, "podman0");
        json_t *j = network_to_json(def);
        char *text = json_dumps(j, JSON_COMPACT);
        assert_non_null(strstr(text, "\"subnets\":[{\"subnet\":\"10.88.0.0/16\",\"gateway\":\"10.88.0.1\"}]"));
        assert_non_null(strstr(text, "\"ipam_options\":{\"driver\":\"host-local\"}"));
        free(text);
        json_decref(j);
        network_free(def);
        struct cu_network *n = mknet(db, "n1", "10.77.0.0/24", NULL);
        assert_string_equal(n->interface, "cuttle0");
        assert_true(n->dns_enabled);
        network_free(n);
        _cleanup_error_ struct cu_error *err = NULL;
        char *over[] = { "10.77.0.128/25", NULL };
        struct network_create_opts o = { .name = "n2", .subnets = over, .skip_host_check = true };
        assert_int_equal(network_create(db, &o, &n, &err), -EADDRINUSE);
        assert_string_equal(cu_error_msg(err), "subnet 10.77.0.128/25 is already used on the host or by another config");
        cu_error_clear(&err);
        o.name = "n1";
        over[0] = "10.78.0.0/24";
        assert_int_equal(network_create(db, &o, &n, &err), -EEXIST);
        assert_string_equal(cu_error_msg(err), "network name n1 already used: network already exists");
        cu_error_clear(&err);
        o.name = "bad/name";
        assert_int_equal(network_create(db, &o, &n, &err), -EINVAL);
        cu_error_clear(&err);
        char *gws[] = { "10.79.0.1", NULL };
        o.name = "n3";
        o.gateways = gws;
        assert_int_equal(network_create(db, &o, &n, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "gateway 10.79.0.1 not in subnet 10.78.0.0/24");
        cu_error_clear(&err);
        assert_int_equal(network_get(db, "nope", &n, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "unable to find network with name or ID nope: network not found");
        cu_error_clear(&err);
        assert_int_equal(network_remove(db, "podman", false, &err), -EPERM);
        /* no subnet: one from the pool */
        struct network_create_opts auto_o = { .name = "auto", .skip_host_check = true };
        assert_int_equal(network_create(db, &auto_o, &n, NULL), 0);
        char b[CU_IP_STRLEN];
        assert_string_equal(cu_cidr_format(&n->subnets[0].subnet, b), "10.89.0.0/24");
        network_free(n);
        assert_int_equal(network_remove(db, "auto", false, NULL), 0);
}

static void test_allocate_release(void **s)
{
        (void) s;
        _cleanup_db_ struct db *db = open_db();
        struct cu_network *n = mknet(db, "small", "10.66.0.0/29", NULL);
        char b[CU_IP_STRLEN];
        /* .1 gateway, .2-.6 usable, .7 broadcast */
        const char *want[] = { "10.66.0.2", "10.66.0.3", "10.66.0.4", "10.66.0.5", "10.66.0.6" };
        for (int i = 0; i < 5; i++) {
                char id[16];
                snprintf(id, sizeof(id), "c%d", i);
                struct net_lease *l = NULL;
                size_t nl = 0;
                assert_int_equal(ipam_allocate(db, n, id, NULL, NULL, &l, &nl, NULL), 0);
                assert_int_equal(nl, 1);
                assert_string_equal(cu_ip_format(&l[0].ip, b), want[i]);
                free(l);
        }
        struct net_lease *l = NULL;
        size_t nl = 0;
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(ipam_allocate(db, n, "full", NULL, NULL, &l, &nl, &err), -ENOSPC);
        assert_int_equal(ipam_release(db, NULL, "c2", NULL), 0);
        assert_int_equal(ipam_allocate(db, n, "again", NULL, NULL, &l, &nl, NULL), 0);
        assert_string_equal(cu_ip_format(&l[0].ip, b), "10.66.0.4");
        free(l);
        cu_error_clear(&err);
        assert_int_equal(network_remove(db, "small", false, &err), -EBUSY);
        /* static ip taken / free */
        struct cu_network *m = mknet(db, "st", "10.67.0.0/24", "10.67.0.128/25");
        char *ip[] = { "10.67.0.50", NULL };
        assert_int_equal(ipam_allocate(db, m, "s1", ip, "02:00:00:00:00:01", &l, &nl, NULL), 0);
        assert_string_equal(l[0].mac, "02:00:00:00:00:01");
        free(l);
        cu_error_clear(&err);
        assert_int_equal(ipam_allocate(db, m, "s2", ip, NULL, &l, &nl, &err), -EADDRINUSE);
        assert_non_null(strstr(cu_error_msg(err), "already allocated to container ID s1"));
        assert_int_equal(ipam_allocate(db, m, "r1", NULL, NULL, &l, &nl, NULL), 0);
        assert_string_equal(cu_ip_format(&l[0].ip, b), "10.67.0.129");
        /* no --mac-address: derived from the IPv4 address */
        assert_string_equal(l[0].mac, "02:42:0a:43:00:81");
        free(l);
        network_free(n);
        network_free(m);
        assert_int_equal(network_remove(db, "small", true, NULL), 0);
        assert_int_equal(ipam_leases(db, NULL, "c0", &l, &nl, NULL), 0);
        assert_int_equal(nl, 0);
        free(l);
}

static void test_concurrent(void **s)
{
        (void) s;
        {
                _cleanup_db_ struct db *db = open_db();
                network_free(mknet(db, "conc", "10.68.0.0/24", NULL));
        }
        enum { N = 50 };
        pid_t pids[N];
        for (int i = 0; i < N; i++) {
                pids[i] = fork();
                if (pids[i] == 0) {
                        struct db *db = NULL;
                        struct cu_network *n = NULL;
                        char id[16];
                        snprintf(id, sizeof(id), "p%02d", i);
                        struct net_lease *l = NULL;
                        size_t nl = 0;
                        int ok = db_open(dbp, &db, NULL) == 0 && network_get(db, "conc", &n, NULL) == 0 &&
                                 ipam_allocate(db, n, id, NULL, NULL, &l, &nl, NULL) == 0 && nl == 1;
                        _exit(ok ? 0 : 1);
                }
        }
        for (int i = 0; i < N; i++) {
                int st;
                waitpid(pids[i], &st, 0);
                assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        _cleanup_db_ struct db *db = open_db();
        struct net_lease *l = NULL;
        size_t nl = 0;
        assert_int_equal(ipam_network_leases(db, "conc", &l, &nl, NULL), 0);
        assert_int_equal(nl, N);
        for (size_t i = 0; i < nl; i++)
                for (size_t j = i + 1; j < nl; j++)
                        assert_false(cu_ip_equal(&l[i].ip, &l[j].ip));
        free(l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_networks),
                cmocka_unit_test(test_allocate_release),
                cmocka_unit_test(test_concurrent),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
