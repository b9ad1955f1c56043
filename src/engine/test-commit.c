/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/fs.h"

static const char *image_cfg =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-01T00:00:00Z\","
        "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"StopSignal\":\"SIGQUIT\","
        "\"Labels\":{\"from\":\"image\"}},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aaaa\"]},"
        "\"history\":[{\"created\":\"2020-01-01T00:00:00Z\",\"created_by\":\"import\"}]}";

static const char *ctr_cfg =
        "{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Cmd\":[\"sleep\",\"10\"],\"Entrypoint\":[],"
        "\"User\":\"\",\"WorkingDir\":\"/srv\",\"Labels\":{\"from\":\"image\",\"x\":\"y\"}}";

static json_t *build(const struct engine_commit_opts *o, struct cu_error **err)
{
        json_t *ic = json_loads(image_cfg, 0, NULL);
        json_t *cc = json_loads(ctr_cfg, 0, NULL);
        assert_non_null(ic);
        assert_non_null(cc);
        json_t *r = commit_config_build(ic, cc, o, "sha256:bbbb", "2024-05-06T07:08:09Z", err);
        json_decref(ic);
        json_decref(cc);
        return r;
}

static const char *str(json_t *o, const char *path)
{
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", path);
        json_t *x = o;
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
                x = json_is_array(x) ? json_array_get(x, (size_t) atoi(k)) : json_object_get(x, k);
        return json_string_value(x);
}

static void test_config_layers_and_settings(void **state)
{
        (void) state;
        struct engine_commit_opts o = { .author = "me", .message = "msg" };
        json_t *c = build(&o, NULL);
        assert_non_null(c);
        /* the container's settings; the image's stop signal stays */
        assert_string_equal(str(c, "config.Cmd.0"), "sleep");
        assert_string_equal(str(c, "config.Env.1"), "A=1");
        assert_string_equal(str(c, "config.WorkingDir"), "/srv");
        assert_string_equal(str(c, "config.Labels.x"), "y");
        assert_string_equal(str(c, "config.StopSignal"), "SIGQUIT");
        assert_null(json_object_get(json_object_get(c, "config"), "Entrypoint"));
        assert_null(json_object_get(json_object_get(c, "config"), "User"));
        /* the layer is added, history follows */
        assert_int_equal(json_array_size(json_object_get(json_object_get(c, "rootfs"), "diff_ids")), 2);
        assert_string_equal(str(c, "rootfs.diff_ids.1"), "sha256:bbbb");
        assert_string_equal(str(c, "history.1.created_by"), "sleep 10");
        assert_string_equal(str(c, "history.1.comment"), "msg");
        assert_string_equal(str(c, "history.1.author"), "me");
        assert_string_equal(str(c, "author"), "me");
        assert_string_equal(str(c, "created"), "2024-05-06T07:08:09Z");
        /* OCI configs have no comment field */
        assert_null(json_object_get(c, "comment"));
        json_decref(c);
        o.docker = true;
        c = build(&o, NULL);
        assert_string_equal(str(c, "comment"), "msg");
        json_decref(c);
}

static void test_config_changes(void **state)
{
        (void) state;
        const char *changes[] = { "CMD [\"/bin/echo\", \"hi\"]", "ENV B=2", "LABEL l=v", "USER 1000",
                                  "EXPOSE 8080", "WORKDIR /w", NULL };
        struct engine_commit_opts o = { .changes = changes };
        json_t *c = build(&o, NULL);
        assert_non_null(c);
        assert_string_equal(str(c, "config.Cmd.0"), "/bin/echo");
        assert_string_equal(str(c, "config.Cmd.1"), "hi");
        assert_string_equal(str(c, "config.Env.2"), "B=2");
        assert_string_equal(str(c, "config.Labels.l"), "v");
        assert_string_equal(str(c, "config.User"), "1000");
        assert_string_equal(str(c, "config.WorkingDir"), "/w");
        assert_non_null(json_object_get(json_object_get(json_object_get(c, "config"), "ExposedPorts"), "8080/tcp"));
        json_decref(c);
        const char *bad[] = { "BOGUS x", NULL };
        o.changes = bad;
        struct cu_error *err = NULL;
        assert_null(build(&o, &err));
        assert_non_null(strstr(cu_error_msg(err), "invalid instruction"));
        cu_error_free(err);
}

static void test_config_squash(void **state)
{
        (void) state;
        struct engine_commit_opts o = { .squash = true };
        json_t *c = build(&o, NULL);
        json_t *ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
        assert_int_equal(json_array_size(ids), 1);
        assert_string_equal(str(c, "rootfs.diff_ids.0"), "sha256:bbbb");
        /* the old history entries describe no layer now: one non-empty entry per layer */
        assert_true(json_is_true(json_object_get(json_array_get(json_object_get(c, "history"), 0), "empty_layer")));
        assert_null(json_object_get(json_array_get(json_object_get(c, "history"), 1), "empty_layer"));
        json_decref(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_layers_and_settings),
                cmocka_unit_test(test_config_changes),
                cmocka_unit_test(test_config_squash),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
