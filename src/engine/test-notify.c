/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c: --sdnotify in the config, the spec's LISTEN_* environment and /run/notify mount,
 * the monitor's options, the preserved fds. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "util/json.h"
#include "util/strv.h"

static void clear_env(void)
{
        const char *v[] = { "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" };
        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                unsetenv(v[i]);
}

static json_t *config_for(const char *mode, int *ret)
{
        struct engine_create_opts o = { 0 };
        o.sec.sdnotify = mode;
        json_t *c = json_object();
        struct cu_error *err = NULL;
        *ret = engine_config_notify(NULL, c, &o, NULL, &err);
        if (*ret < 0)
                assert_non_null(strstr(cu_error_msg(err), "invalid sdnotify value"));
        cu_error_free(err);
        return c;
}

static void test_config(void **s)
{
        clear_env();
        int r;
        _cleanup_json_ json_t *a = config_for(NULL, &r);
        assert_int_equal(r, 0);
        assert_string_equal(json_string_value(json_object_get(a, "SdNotifyMode")), "container");
        assert_string_equal(json_string_value(json_object_get(a, "SdNotifySocket")), "");

        setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
        _cleanup_json_ json_t *b = config_for("conmon", &r);
        assert_string_equal(json_string_value(json_object_get(b, "SdNotifyMode")), "conmon");
        assert_string_equal(json_string_value(json_object_get(b, "SdNotifySocket")),
                            "/run/systemd/notify");
        _cleanup_json_ json_t *c = config_for("ignore", &r);
        assert_string_equal(json_string_value(json_object_get(c, "SdNotifySocket")), "");
        _cleanup_json_ json_t *d = config_for("healthy", &r); /* podman 4.3 has no "healthy" */
        assert_int_equal(r, -EINVAL);
        _cleanup_json_ json_t *e = config_for("", &r);
        assert_int_equal(r, 0);
        assert_string_equal(json_string_value(json_object_get(e, "SdNotifyMode")), "container");
        clear_env();
}

static const char *env_of(json_t *spec, const char *name)
{
        size_t i, nl = strlen(name);
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(spec, "process"), "env"), i, v) {
                const char *s = json_string_value(v);
                if (strncmp(s, name, nl) == 0 && s[nl] == '=')
                        return s + nl + 1;
        }
        return NULL;
}

static void test_spec_listen_env(void **s)
{
        clear_env();
        _cleanup_json_ json_t *spec = json_pack("{s:{s:[s]}, s:[]}", "process", "env",
                                                "LISTEN_PID=77", "mounts");
        _cleanup_json_ json_t *c = json_pack("{s:s, s:s}", "SdNotifyMode", "container",
                                             "SdNotifySocket", "/host.sock");
        struct engine_spec_ctx x = { .id = "abc", .c = c };
        setenv("LISTEN_FDS", "2", 1);
        setenv("LISTEN_PID", "4242", 1);
        setenv("LISTEN_FDNAMES", "web:admin", 1);
        assert_int_equal(engine_spec_notify(spec, &x, NULL), 0);
        assert_string_equal(env_of(spec, "LISTEN_PID"), "1");
        assert_string_equal(env_of(spec, "LISTEN_FDS"), "2");
        assert_string_equal(env_of(spec, "LISTEN_FDNAMES"), "web:admin");
        json_t *env = json_object_get(json_object_get(spec, "process"), "env");
        assert_int_equal(json_array_size(env), 3);
        /* no engine (inspect, tests): nothing to mount */
        assert_int_equal(json_array_size(json_object_get(spec, "mounts")), 0);
        assert_null(env_of(spec, "NOTIFY_SOCKET"));
        clear_env();
}

static void test_spec_mount(void **s)
{
        clear_env();
        struct engine e = { .root = "/nonexistent/root", .runroot = "/nonexistent/run" };
        const char *modes[] = { "container", "conmon", "ignore" };
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                _cleanup_json_ json_t *spec = json_pack("{s:{s:[]}, s:[]}", "process", "env",
                                                        "mounts");
                _cleanup_json_ json_t *c = json_pack("{s:s, s:s}", "SdNotifyMode", modes[i],
                                                     "SdNotifySocket", "/host.sock");
                struct engine_spec_ctx x = { .e = &e, .id = "abc", .c = c };
                assert_int_equal(engine_spec_notify(spec, &x, NULL), 0);
                json_t *m = json_object_get(spec, "mounts");
                if (i > 0) {
                        assert_int_equal(json_array_size(m), 0);
                        assert_null(env_of(spec, "NOTIFY_SOCKET"));
                        continue;
                }
                assert_int_equal(json_array_size(m), 1);
                json_t *b = json_array_get(m, 0);
                assert_string_equal(json_string_value(json_object_get(b, "destination")),
                                    "/run/notify");
                assert_string_equal(json_string_value(json_object_get(b, "source")),
                                    "/nonexistent/run/containers/abc/notify");
                assert_string_equal(env_of(spec, "NOTIFY_SOCKET"), "/run/notify/notify.sock");
        }
        /* a user's mount at /run/notify wins */
        _cleanup_json_ json_t *spec = json_pack("{s:{s:[]}, s:[{s:s}]}", "process", "env",
                                                "mounts", "destination", "/run/notify");
        _cleanup_json_ json_t *c = json_pack("{s:s, s:s}", "SdNotifyMode", "container",
                                             "SdNotifySocket", "/host.sock");
        struct engine_spec_ctx x = { .e = &e, .id = "abc", .c = c };
        assert_int_equal(engine_spec_notify(spec, &x, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(spec, "mounts")), 1);
        /* no socket recorded and none in the environment: nothing */
        _cleanup_json_ json_t *spec2 = json_pack("{s:{s:[]}, s:[]}", "process", "env", "mounts");
        _cleanup_json_ json_t *c2 = json_pack("{s:s, s:s}", "SdNotifyMode", "container",
                                              "SdNotifySocket", "");
        x.c = c2;
        assert_int_equal(engine_spec_notify(spec2, &x, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(spec2, "mounts")), 0);
        /* the starting process's NOTIFY_SOCKET counts */
        setenv("NOTIFY_SOCKET", "/other.sock", 1);
        assert_int_equal(engine_spec_notify(spec2, &x, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(spec2, "mounts")), 1);
        clear_env();
}

static char *joined(char **v)
{
        return v ? strv_join(v, " ") : strdup("");
}

static void test_monitor_args(void **s)
{
        clear_env();
        struct engine e = { .root = "/r", .runroot = "/rr" };
        _cleanup_json_ json_t *c = json_pack("{s:s, s:s}", "SdNotifyMode", "container",
                                             "SdNotifySocket", "/host.sock");
        _cleanup_strv_ char **a = NULL;
        assert_int_equal(engine_notify_monitor_args(&e, "abc", c, 2, &a), 0);
        _cleanup_free_ char *t = joined(a);
        assert_string_equal(t, "--preserve-fds 2 --sdnotify-mode container --sdnotify-socket "
                               "/host.sock --sdnotify-proxy /rr/containers/abc/notify/notify.sock");
        json_object_set_new(c, "SdNotifyMode", json_string("conmon"));
        _cleanup_strv_ char **b = NULL;
        assert_int_equal(engine_notify_monitor_args(&e, "abc", c, 0, &b), 0);
        _cleanup_free_ char *u = joined(b);
        assert_string_equal(u, "--sdnotify-mode conmon --sdnotify-socket /host.sock");
        json_object_set_new(c, "SdNotifyMode", json_string("ignore"));
        setenv("NOTIFY_SOCKET", "/x.sock", 1);
        _cleanup_strv_ char **d = NULL;
        assert_int_equal(engine_notify_monitor_args(&e, "abc", c, 0, &d), 0);
        assert_null(d);
        clear_env();
}

static void test_preserve_fds(void **s)
{
        clear_env();
        struct engine e = { 0 };
        unsigned n = 99;
        assert_int_equal(engine_notify_preserve_fds(&e, &n, NULL), 0);
        assert_int_equal(n, 0);
        /* fds 3 and 4 open here */
        int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int b = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(a >= 3 && b >= 3);
        int fd3 = dup2(a, 3);
        int fd4 = dup2(b, 4);
        assert_int_equal(fd3, 3);
        assert_int_equal(fd4, 4);
        setenv("LISTEN_FDS", "2", 1);
        assert_int_equal(engine_notify_preserve_fds(&e, &n, NULL), 0);
        assert_int_equal(n, 2);
        /* the user's --preserve-fds wins over LISTEN_FDS */
        e.preserve_fds = 1;
        assert_int_equal(engine_notify_preserve_fds(&e, &n, NULL), 0);
        assert_int_equal(n, 1);
        e.preserve_fds = 0;
        struct cu_error *err = NULL;
        setenv("LISTEN_FDS", "x", 1);
        assert_int_equal(engine_notify_preserve_fds(&e, &n, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err),
                            "converting LISTEN_FDS=x: strconv.Atoi: parsing \"x\": invalid syntax");
        cu_error_free(err);
        err = NULL;
        setenv("LISTEN_FDS", "-1", 1);
        assert_int_equal(engine_notify_preserve_fds(&e, &n, NULL), -EINVAL);
        /* a fd that is not open */
        int hi = 3;
        while (fcntl(hi, F_GETFD) >= 0)
                hi++;
        char v[16];
        snprintf(v, sizeof v, "%d", hi - 3 + 1);
        setenv("LISTEN_FDS", v, 1);
        assert_int_equal(engine_notify_preserve_fds(&e, &n, &err), -EBADF);
        assert_non_null(strstr(cu_error_msg(err), "is not available"));
        cu_error_free(err);
        close(a);
        close(b);
        clear_env();
}

static void test_inspect(void **s)
{
        _cleanup_json_ json_t *out = json_pack("{s:{}}", "Config");
        _cleanup_json_ json_t *c = json_pack("{s:s, s:s}", "SdNotifyMode", "conmon",
                                             "SdNotifySocket", "/h.sock");
        engine_inspect_notify(NULL, NULL, c, out);
        json_t *cfg = json_object_get(out, "Config");
        assert_string_equal(json_string_value(json_object_get(cfg, "SdNotifyMode")), "conmon");
        assert_string_equal(json_string_value(json_object_get(cfg, "SdNotifySocket")), "/h.sock");
        /* a record from before --sdnotify existed */
        _cleanup_json_ json_t *empty = json_object();
        engine_inspect_notify(NULL, NULL, empty, out);
        assert_string_equal(json_string_value(json_object_get(cfg, "SdNotifyMode")), "container");
        assert_string_equal(json_string_value(json_object_get(cfg, "SdNotifySocket")), "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_spec_listen_env),
                cmocka_unit_test(test_spec_mount),
                cmocka_unit_test(test_monitor_args),
                cmocka_unit_test(test_preserve_fds),
                cmocka_unit_test(test_inspect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
