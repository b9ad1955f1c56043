/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Spec generation: container config (image config folded in) → OCI spec. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/container.h"
#include "util/fileio.h"
#include "util/json.h"

static json_t *gen(const char *config, int rootfd)
{
        json_t *c = json_loads(config, 0, NULL);
        assert_non_null(c);
        struct cu_error *err = NULL;
        struct engine_spec_ctx x = { .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                     .c = c, .rootfd = rootfd, .rootfs = "/merged", .bundle = "/bundle" };
        json_t *s = engine_spec_generate(&x, &err);
        free(x.home);
        if (!s)
                fail_msg("%s", cu_error_msg(err));
        json_decref(c);
        return s;
}

static const char *pstr(json_t *s, const char *key)
{
        return json_string_value(json_object_get(json_object_get(s, "process"), key));
}

static bool env_has(json_t *s, const char *kv)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(s, "process"), "env"), i, v)
                if (strcmp(json_string_value(v), kv) == 0)
                        return true;
        return false;
}

static bool has_ns(json_t *s, const char *t)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(s, "linux"), "namespaces"), i, v)
                if (strcmp(json_string_value(json_object_get(v, "type")), t) == 0)
                        return true;
        return false;
}

static void test_defaults(void **state)
{
        (void) state;
        json_t *s = gen("{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],\"Env\":[\"A=b\"]}", -1);
        json_t *args = json_object_get(json_object_get(s, "process"), "args");
        assert_int_equal(json_array_size(args), 3);
        assert_string_equal(json_string_value(json_array_get(args, 0)), "/bin/sh");
        assert_string_equal(json_string_value(json_array_get(args, 2)), "echo hi");
        assert_string_equal(pstr(s, "cwd"), "/");
        assert_true(env_has(s, "A=b"));
        assert_true(env_has(s, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        assert_true(env_has(s, "container=podman"));
        assert_true(env_has(s, "HOSTNAME=0123456789ab"));
        assert_string_equal(json_string_value(json_object_get(s, "hostname")), "0123456789ab");
        assert_string_equal(json_string_value(json_object_get(json_object_get(s, "root"), "path")), "/merged");
        assert_false(json_is_true(json_object_get(json_object_get(s, "root"), "readonly")));
        assert_true(has_ns(s, "network"));
        assert_false(json_is_true(json_object_get(json_object_get(s, "process"), "terminal")));
        json_decref(s);
}

static void test_flags(void **state)
{
        (void) state;
        json_t *s = gen("{\"Cmd\":[\"true\"],\"Env\":[\"PATH=/x\"],\"WorkingDir\":\"/w\",\"Hostname\":\"h\","
                        "\"Tty\":true,\"ReadOnly\":true,\"NetworkMode\":\"host\",\"Memory\":1048576,"
                        "\"PidsLimit\":7,\"CapDrop\":[\"all\"],\"CapAdd\":[\"net_admin\"],"
                        "\"Annotations\":{\"k\":\"v\"},\"User\":\"12:34\"}", -1);
        assert_string_equal(pstr(s, "cwd"), "/w");
        assert_true(env_has(s, "PATH=/x"));
        assert_true(env_has(s, "HOSTNAME=h"));
        assert_true(json_is_true(json_object_get(json_object_get(s, "process"), "terminal")));
        assert_true(json_is_true(json_object_get(json_object_get(s, "root"), "readonly")));
        assert_false(has_ns(s, "network"));
        json_t *res = json_object_get(json_object_get(s, "linux"), "resources");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 1048576);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), 7);
        json_t *caps = json_object_get(json_object_get(s, "process"), "capabilities");
        json_t *b = json_object_get(caps, "bounding");
        assert_int_equal(json_array_size(b), 1);
        assert_string_equal(json_string_value(json_array_get(b, 0)), "CAP_NET_ADMIN");
        json_t *user = json_object_get(json_object_get(s, "process"), "user");
        assert_int_equal(json_integer_value(json_object_get(user, "uid")), 12);
        assert_int_equal(json_integer_value(json_object_get(user, "gid")), 34);
        assert_string_equal(json_string_value(json_object_get(json_object_get(s, "annotations"), "k")), "v");
        /* read-only roots get tmpfs on /tmp, /var/tmp and /run */
        size_t i, tmpfs = 0;
        json_t *m;
        json_array_foreach(json_object_get(s, "mounts"), i, m)
                tmpfs += strcmp(json_string_value(json_object_get(m, "type")), "tmpfs") == 0;
        assert_true(tmpfs >= 4);
        json_decref(s);
}

static void test_no_command(void **state)
{
        (void) state;
        json_t *c = json_loads("{\"Cmd\":[]}", 0, NULL);
        struct cu_error *err = NULL;
        struct engine_spec_ctx x = { .id = "0123456789ab", .c = c, .rootfd = -1, .rootfs = "/m", .bundle = "/b" };
        assert_null(engine_spec_generate(&x, &err));
        free(x.home);
        assert_non_null(strstr(cu_error_msg(err), "no command or entrypoint provided"));
        cu_error_free(err);
        json_decref(c);
}

static void test_users_from_passwd(void **state)
{
        (void) state;
        char dir[] = "/tmp/test-spec-gen-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char p[256];
        snprintf(p, sizeof p, "%s/etc", dir);
        mkdir(p, 0755);
        snprintf(p, sizeof p, "%s/etc/passwd", dir);
        const char *pw = "root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1001:t:/home/tester:/bin/sh\n";
        assert_int_equal(write_file_atomic(p, pw, strlen(pw), 0644, NULL), 0);
        snprintf(p, sizeof p, "%s/etc/group", dir);
        const char *gr = "root:x:0:\nusers:x:100:tester\ntester:x:1001:\nwheel:x:10:\n";
        assert_int_equal(write_file_atomic(p, gr, strlen(gr), 0644, NULL), 0);
        int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);

        json_t *s = gen("{\"Cmd\":[\"true\"],\"User\":\"tester\"}", fd);
        json_t *user = json_object_get(json_object_get(s, "process"), "user");
        assert_int_equal(json_integer_value(json_object_get(user, "uid")), 1000);
        assert_int_equal(json_integer_value(json_object_get(user, "gid")), 1001);
        /* podman 4.3 lists the primary gid first, then the user's groups */
        assert_int_equal(json_integer_value(json_array_get(json_object_get(user, "additionalGids"), 0)), 1001);
        assert_int_equal(json_integer_value(json_array_get(json_object_get(user, "additionalGids"), 1)), 100);
        assert_true(env_has(s, "HOME=/home/tester"));
        /* a non-root user has no effective capabilities */
        json_t *caps = json_object_get(json_object_get(s, "process"), "capabilities");
        assert_int_equal(json_array_size(json_object_get(caps, "effective")), 0);
        json_decref(s);

        uint32_t uid, gid;
        struct cu_error *err = NULL;
        assert_int_equal(engine_resolve_user(fd, "1000:wheel", &uid, &gid, NULL, NULL, NULL, &err), 0);
        assert_int_equal(uid, 1000);
        assert_int_equal(gid, 10);
        assert_int_equal(engine_resolve_user(fd, "nope", &uid, &gid, NULL, NULL, NULL, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "unable to find user nope: no matching entries in passwd file");
        cu_error_clear(&err);
        assert_int_equal(engine_resolve_user(fd, "0:nogroup", &uid, &gid, NULL, NULL, NULL, &err), -ENOENT);
        cu_error_free(err);
        close(fd);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

static void test_bad_cap(void **state)
{
        (void) state;
        json_t *c = json_loads("{\"Cmd\":[\"true\"],\"CapAdd\":[\"bogus\"]}", 0, NULL);
        struct cu_error *err = NULL;
        struct engine_spec_ctx x = { .id = "0123456789ab", .c = c, .rootfd = -1, .rootfs = "/m", .bundle = "/b" };
        assert_null(engine_spec_generate(&x, &err));
        free(x.home);
        assert_string_equal(cu_error_msg(err), "unknown capability \"bogus\"");
        cu_error_free(err);
        json_decref(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),         cmocka_unit_test(test_flags),
                cmocka_unit_test(test_no_command),       cmocka_unit_test(test_users_from_passwd),
                cmocka_unit_test(test_bad_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
