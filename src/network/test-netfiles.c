/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network file store: podman's format, reading a directory with bad files in it,
 * atomic writes, removal, the lock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "network/netfiles.h"
#include "network/networks.h"
#include "util/fileio.h"
#include "util/json.h"

static char dir[] = "/tmp/cuttle-test-netfiles-XXXXXX";
static char nets[256];

/* What podman 4.3.1 wrote for `network create --subnet 10.77.0.0/24 --ip-range
 * 10.77.0.128/25 --label a=b -o mtu=1400 --internal n2` (byte for byte). */
static const char podman_n2[] =
        "{\n"
        "     \"name\": \"n2\",\n"
        "     \"id\": \"ffd1c2f7213c1fd296ffcf105fed7259077f4554e38178f239c0b4fdcc3c53d5\",\n"
        "     \"driver\": \"bridge\",\n"
        "     \"network_interface\": \"podman2\",\n"
        "     \"created\": \"2026-11-29T16:25:10.303505231Z\",\n"
        "     \"subnets\": [\n"
        "          {\n"
        "               \"subnet\": \"10.77.0.0/24\",\n"
        "               \"gateway\": \"10.77.0.1\",\n"
        "               \"lease_range\": {\n"
        "                    \"start_ip\": \"10.77.0.129\",\n"
        "                    \"end_ip\": \"10.77.0.255\"\n"
        "               }\n"
        "          }\n"
        "     ],\n"
        "     \"ipv6_enabled\": false,\n"
        "     \"internal\": true,\n"
        "     \"dns_enabled\": true,\n"
        "     \"labels\": {\n"
        "          \"a\": \"b\"\n"
        "     },\n"
        "     \"options\": {\n"
        "          \"mtu\": \"1400\"\n"
        "     },\n"
        "     \"ipam_options\": {\n"
        "          \"driver\": \"host-local\"\n"
        "     }\n"
        "}\n";

static int setup(void **s)
{
        (void) s;
        assert_non_null(mkdtemp(dir));
        snprintf(nets, sizeof(nets), "%s/nets", dir);
        return 0;
}

static int teardown(void **s)
{
        (void) s;
        return rm_rf(dir) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", nets, name);
        assert_int_equal(mkdir_p(nets, 0755), 0);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static struct cu_network *parse(const char *text)
{
        _cleanup_json_ json_t *o = json_load_data(text, strlen(text), "t", NULL);
        assert_non_null(o);
        struct cu_network *n = NULL;
        assert_int_equal(network_from_json(o, &n, NULL), 0);
        return n;
}

static void test_podman_format_round_trip(void **s)
{
        (void) s;
        _cleanup_network_ struct cu_network *n = parse(podman_n2);
        assert_string_equal(n->name, "n2");
        assert_int_equal(n->mtu, 1400);
        assert_true(n->internal);
        assert_true(n->subnets[0].has_range);
        _cleanup_free_ char *text = netfiles_format(n);
        assert_string_equal(text, podman_n2);
}

static void test_from_json_checks(void **s)
{
        (void) s;
        static const struct { const char *json, *msg; } bad[] = {
                { "{\"name\":\"x\"}", "invalid network ID \"\"" },
                { "{\"name\":\"x\",\"id\":\"abc\",\"network_interface\":\"b\"}", "invalid network ID \"abc\"" },
                { "{\"name\":\"a/b\"}", "invalid network name \"a/b\"" },
                { "{\"name\":\"x\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\"}",
                  "invalid network interface \"\"" },
                { "{\"name\":\"x\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\","
                  "\"network_interface\":\"b0\",\"subnets\":[{\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.2.0.1\"}]}",
                  "gateway 10.2.0.1 not in subnet 10.1.0.0/24" },
                { "{\"name\":\"x\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\","
                  "\"network_interface\":\"b0\",\"subnets\":[{\"subnet\":\"banana\"}]}",
                  "invalid CIDR address: banana" },
                { "{\"name\":\"x\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\","
                  "\"network_interface\":\"b0\",\"subnets\":[7]}", "network.subnets: expected objects" },
                { "{\"name\":\"x\",\"id\":\"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9\","
                  "\"network_interface\":\"b0\",\"options\":{\"mtu\":\"9\"}}", "invalid mtu 9" },
                { "[1]", "network: expected an object" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_json_ json_t *o = json_load_data(bad[i].json, strlen(bad[i].json), "t", NULL);
                assert_non_null(o);
                struct cu_network *n = NULL;
                _cleanup_error_ struct cu_error *err = NULL;
                assert_int_equal(network_from_json(o, &n, &err), -EINVAL);
                assert_null(n);
                assert_string_equal(cu_error_msg(err), bad[i].msg);
        }
}

static void test_list_skips_bad_files(void **s)
{
        (void) s;
        struct cu_network **v = NULL;
        size_t n = 99;
        /* a missing directory is no network */
        assert_int_equal(netfiles_list(nets, &v, &n, NULL), 0);
        assert_int_equal(n, 0);
        assert_null(v[0]);
        networks_free(v, n);
        put("n2.json", podman_n2);
        put("bad.json", "{bad");
        put("misnamed.json", podman_n2);
        put("noid.json", "{\"name\": \"noid\"}");
        put("notes.txt", "hello");
        put("mv.json", "{\"name\":\"mv\",\"id\":\"ffd1c2f7213c1fd296ffcf105fed7259077f4554e38178f239c0b4fdcc3c53d4\","
                       "\"driver\":\"macvlan\",\"network_interface\":\"eth0\"}");
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/adir.json", nets);
        assert_int_equal(mkdir(sub, 0755), 0);
        assert_int_equal(netfiles_list(nets, &v, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(v[0]->name, "n2");
        networks_free(v, n);
        struct cu_network *g = NULL;
        assert_int_equal(netfiles_get(nets, "n2", &g, NULL), 1);
        assert_string_equal(g->interface, "podman2");
        network_free(g);
        g = NULL;
        assert_int_equal(netfiles_get(nets, "bad", &g, NULL), 0);
        assert_int_equal(netfiles_get(nets, "misnamed", &g, NULL), 0);
        assert_int_equal(netfiles_get(nets, "nope", &g, NULL), 0);
        assert_int_equal(netfiles_get(nets, "../x", &g, NULL), 0);
        assert_int_equal(netfiles_get(nets, "adir", &g, NULL), 0);
        assert_null(g);
        assert_int_equal(rmdir(sub), 0);
}

static void test_write_remove_lock(void **s)
{
        (void) s;
        char d2[256], p[PATH_MAX];
        snprintf(d2, sizeof(d2), "%s/new/deeper", dir);
        _cleanup_network_ struct cu_network *n = parse(podman_n2);
        free(n->name);
        n->name = strdup("w1");
        assert_int_equal(netfiles_write(d2, n, NULL), 0);
        struct stat st;
        assert_int_equal(stat(d2, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        snprintf(p, sizeof(p), "%s/w1.json", d2);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        struct cu_network **v = NULL;
        size_t k = 0;
        assert_int_equal(netfiles_list(d2, &v, &k, NULL), 0);
        assert_int_equal(k, 1);
        assert_string_equal(v[0]->name, "w1");
        networks_free(v, k);
        /* the lock excludes another process (as podman's fcntl lock would be) */
        int fd = netfiles_lock(d2, NULL);
        assert_true(fd >= 0);
        /* the child answers through a pipe: its exit status would be valgrind's when the
         * tests run under it (the child's leak check) */
        int pp[2];
        assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char lp[PATH_MAX];
                snprintf(lp, sizeof(lp), "%s/netavark.lock", d2);
                int l = open(lp, O_RDWR | O_CLOEXEC);
                struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
                char ok = l >= 0 && fcntl(l, F_SETLK, &fl) < 0 && (errno == EAGAIN || errno == EACCES) ? 'y' : 'n';
                (void) !write(pp[1], &ok, 1);
                _exit(0);
        }
        close(pp[1]);
        char answer = 0;
        assert_int_equal(read(pp[0], &answer, 1), 1);
        close(pp[0]);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(answer, 'y');
        close(fd);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(netfiles_remove(d2, "w1", NULL), 0);
        assert_int_equal(netfiles_remove(d2, "w1", &err), -ENOENT);
        assert_int_equal(access(p, F_OK), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_podman_format_round_trip),
                cmocka_unit_test(test_from_json_checks),
                cmocka_unit_test(test_list_skips_bad_files),
                cmocka_unit_test(test_write_remove_lock),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
