/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Setup and teardown against the real kernel (root): two containers on one
 * network ping each other, a published port on 127.0.0.1 reaches a
 * listener in a namespace, an --internal network has no route out, and
 * teardown (also 100 cycles) leaves no veth, namespace, nft chain or lease.
 * Traffic goes only to the namespaces made here and to loopback.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "network/ipam.h"
#include "network/netns.h"
#include "network/networks.h"
#include "network/setup.h"
#include "util/fileio.h"
#include "util/json.h"

static char dir[PATH_MAX];
static char runroot[PATH_MAX + 16];
static struct db *db;

static const char *id_a = "aaaa111122223333444455556666777788889999000011112222333344445555";
static const char *id_b = "bbbb111122223333444455556666777788889999000011112222333344445555";

static char *run_out(const char *cmd)
{
        FILE *p = popen(cmd, "r");
        if (!p)
                return strdup("");
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        pclose(p);
        fclose(m);
        return out;
}

static int exec_in(const char *id, char *const *argv)
{
        _cleanup_free_ char *p = net_netns_path(runroot, id);
        int fd = netns_open(p, NULL);
        if (fd < 0)
                return -1;
        int r = netns_exec(fd, argv, 0, NULL);
        close(fd);
        return r;
}

static void create_net(const char *name, const char *subnet, bool internal)
{
        char *subs[] = { (char *) subnet, NULL };
        char iface[16];
        snprintf(iface, sizeof(iface), "cttest%s", name + strlen(name) - 1);
        struct network_create_opts o = { .name = name, .subnets = subs, .internal = internal,
                                         .interface = iface, .skip_host_check = true };
        struct cu_network *n = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        int r = network_create(db, &o, &n, &err);
        if (r < 0)
                fprintf(stderr, "%s\n", cu_error_msg(err));
        assert_int_equal(r, 0);
        network_free(n);
}

static int setup(void **state)
{
        (void) state;
        if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0)
                return -1;
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        assert_true(n > 0);
        self[n] = '\0';
        char helper[PATH_MAX + 32];
        snprintf(helper, sizeof(helper), "%s/../../cuttle-netfw", dirname(self));
        setenv("CUTTLE_NETFW", helper, 1);
        strcpy(dir, "/tmp/cuttle-test-setup-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(runroot, sizeof(runroot), "%s/run", dir);
        char dbp[PATH_MAX + 16];
        snprintf(dbp, sizeof(dbp), "%s/state.db", dir);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(db_open(dbp, &db, &err), 0);
        create_net("ctnet1", "10.231.1.0/24", false);
        create_net("ctnet2", "10.231.2.0/24", true);
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        /* only this test's networks go (bridges and chains): the table inet cuttle is the
         * host's, shared with every cuttle on it */
        const char *nets[][2] = { { "ctnet1", "cttest1" }, { "ctnet2", "cttest2" } };
        for (size_t i = 0; i < 2; i++) {
                (void) network_remove(db, nets[i][0], true, NULL);
                (void) net_network_removed(db, runroot, nets[i][1], NULL);
        }
        db = db_close(db);
        char cmd[PATH_MAX + 32];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void) !system(cmd);
        return 0;
}

static json_t *do_setup(const char *id, const char *name, const char *net, struct port_mapping *pm, size_t np)
{
        struct net_attach_opts a = { .network = net };
        struct net_setup_opts o = { .runroot = runroot, .container_id = id, .container_name = name,
                                    .nets = &a, .n_nets = 1, .ports = pm, .n_ports = np };
        json_t *st = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        int r = net_setup(db, &o, &st, &err);
        if (r < 0)
                fprintf(stderr, "setup: %s\n", cu_error_msg(err));
        assert_int_equal(r, 0);
        return st;
}

static void do_teardown(const char *id)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int r = net_teardown(db, runroot, id, &err);
        if (r < 0)
                fprintf(stderr, "teardown: %s\n", cu_error_msg(err));
        assert_int_equal(r, 0);
}

static void assert_clean(const char *id)
{
        char veth[32];
        snprintf(veth, sizeof(veth), "cuttle-%.7s", id);
        /* the kernel destroys the namespace and its veths in its cleanup worker */
        _cleanup_free_ char *links = NULL;
        for (int i = 0; i < 200; i++) {
                free(links);
                links = run_out("ip -o link");
                if (!strstr(links, veth))
                        break;
                usleep(10000);
        }
        assert_null(strstr(links, veth));
        _cleanup_free_ char *mounts = NULL;
        read_full_file("/proc/self/mountinfo", &mounts, NULL, NULL);
        _cleanup_free_ char *p = net_netns_path(runroot, id);
        assert_null(strstr(mounts, p));
        assert_int_not_equal(access(p, F_OK), 0);
        char chain[32];
        snprintf(chain, sizeof(chain), "ctr-%.12s", id);
        _cleanup_free_ char *rules = run_out("nft list ruleset 2>/dev/null");
        assert_null(strstr(rules, chain));
        struct net_lease *l = NULL;
        size_t nl = 0;
        assert_int_equal(ipam_leases(db, NULL, id, &l, &nl, NULL), 0);
        assert_int_equal(nl, 0);
        free(l);
}

static void test_ping_and_status(void **state)
{
        (void) state;
        _cleanup_json_ json_t *sa = do_setup(id_a, "a", "ctnet1", NULL, 0);
        _cleanup_json_ json_t *sb = do_setup(id_b, "b", "ctnet1", NULL, 0);
        const char *ipa = json_string_value(json_object_get(sa, "IPAddress"));
        const char *ipb = json_string_value(json_object_get(sb, "IPAddress"));
        assert_string_equal(ipa, "10.231.1.2");
        assert_string_equal(ipb, "10.231.1.3");
        assert_string_equal(json_string_value(json_object_get(sa, "Gateway")), "10.231.1.1");
        assert_int_equal(json_integer_value(json_object_get(sa, "IPPrefixLen")), 24);
        assert_non_null(json_object_get(json_object_get(sa, "Networks"), "ctnet1"));
        assert_int_equal(strlen(json_string_value(json_object_get(sa, "MacAddress"))), 17);
        char *ping[] = { "busybox", "ping", "-c1", "-W2", (char *) ipb, NULL };
        assert_int_equal(exec_in(id_a, ping), 0);
        ping[4] = (char *) ipa;
        assert_int_equal(exec_in(id_b, ping), 0);
        /* an address outside: nothing answers there */
        ping[4] = "10.231.1.77";
        assert_int_not_equal(exec_in(id_b, ping), 0);
        do_teardown(id_a);
        do_teardown(id_b);
        assert_clean(id_a);
        assert_clean(id_b);
        /* idempotent */
        do_teardown(id_a);
}

static void test_port_forward(void **state)
{
        (void) state;
        struct port_mapping pm = { .host_port = 0, .container_port = 8080, .range = 1, .protocols = PORT_TCP };
        strcpy(pm.host_ip, "127.0.0.1");
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(ports_assign(&pm, 1, &err), 0);
        assert_true(pm.host_port > 0);
        _cleanup_json_ json_t *st = do_setup(id_a, "web", "ctnet1", &pm, 1);
        _cleanup_free_ char *rules = run_out("nft list chain inet cuttle ctr-aaaa11112222");
        assert_non_null(strstr(rules, "dnat ip to 10.231.1.2:8080"));
        /* the listener: busybox nc -l answers one line */
        _cleanup_free_ char *p = net_netns_path(runroot, id_a);
        int fd = netns_open(p, NULL);
        assert_true(fd >= 0);
        pid_t srv = fork();
        if (srv == 0) {
                setns(fd, 0);
                int null = open("/dev/null", O_RDWR);
                dup2(null, 1);
                execl("/bin/sh", "sh", "-c", "echo hello-from-ns | busybox nc -l -p 8080", NULL);
                _exit(127);
        }
        close(fd);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "sleep 0.3; busybox nc -w 2 127.0.0.1 %u </dev/null 2>&1", pm.host_port);
        _cleanup_free_ char *out = run_out(cmd);
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
        assert_non_null(strstr(out, "hello-from-ns"));
        do_teardown(id_a);
        assert_clean(id_a);
}

static void test_internal(void **state)
{
        (void) state;
        _cleanup_json_ json_t *st = do_setup(id_b, "int", "ctnet2", NULL, 0);
        _cleanup_free_ char *p = net_netns_path(runroot, id_b);
        char cmd[PATH_MAX + 64];
        snprintf(cmd, sizeof(cmd), "nsenter --net=%s ip route", p);
        _cleanup_free_ char *routes = run_out(cmd);
        assert_null(strstr(routes, "default"));
        assert_non_null(strstr(routes, "10.231.2.0/24"));
        /* the host itself (gateway) answers, nothing else is reachable */
        char *ping[] = { "busybox", "ping", "-c1", "-W1", "192.0.2.2", NULL };
        assert_int_not_equal(exec_in(id_b, ping), 0);
        _cleanup_free_ char *rules = run_out("nft list chain inet cuttle fwd-cttest2");
        assert_non_null(strstr(rules, "oifname != \"cttest2\" drop"));
        do_teardown(id_b);
        assert_clean(id_b);
}

static void test_hundred_cycles(void **state)
{
        (void) state;
        for (int i = 0; i < 100; i++) {
                json_t *st = do_setup(id_a, "cycle", "ctnet1", NULL, 0);
                json_decref(st);
                do_teardown(id_a);
        }
        assert_clean(id_a);
        _cleanup_free_ char *links = run_out("ip -o link");
        /* none of the 100 veths is left (only this test's: other suites may run at the
         * same time and have cuttle- links of their own) */
        char veth[32];
        snprintf(veth, sizeof(veth), "cuttle-%.7s", id_a);
        assert_null(strstr(links, veth));
        assert_int_equal(network_lease_count(db, "ctnet1", NULL), 0);
        /* the bridge stays for the next container; it goes with the network */
        assert_non_null(strstr(links, "cttest1"));
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(network_remove(db, "ctnet1", false, &err), 0);
        assert_int_equal(net_network_removed(db, runroot, "cttest1", &err), 0);
        _cleanup_free_ char *after = run_out("ip -o link");
        assert_null(strstr(after, "cttest1"));
}

int main(void)
{
        if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0) {
                printf("1..0 # SKIP needs root and /bin/busybox\n");
                return 77;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ping_and_status),
                cmocka_unit_test(test_port_forward),
                cmocka_unit_test(test_internal),
                cmocka_unit_test(test_hundred_cycles),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
