/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The volume hooks without an engine: create folds the options and the image's VOLUMEs into
 * the config; spec generation gives the OCI mounts, --read-only's tmpfs, the order and the
 * root propagation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "util/json.h"

static json_t *config(char **volumes, char **mounts, char **tmpfs, bool ro, bool ro_tmpfs,
                      const char *image_cfg, struct cu_error **err)
{
        struct engine_create_opts o = { .read_only = ro };
        o.vol = (struct engine_vol_opts){ .volumes = volumes, .mounts = mounts, .tmpfs = tmpfs,
                                          .read_only_tmpfs = ro_tmpfs };
        json_t *c = json_pack("{s:[s], s:[], s:[], s:s, s:b}", "Cmd", "true", "Entrypoint", "Env",
                              "WorkingDir", "/", "ReadOnly", ro);
        _cleanup_json_ json_t *ic = image_cfg ? json_loads(image_cfg, 0, NULL) : NULL;
        if (engine_config_volumes(NULL, c, &o, ic, err) < 0) {
                json_decref(c);
                return NULL;
        }
        return c;
}

static json_t *spec_of(json_t *c)
{
        struct engine_spec_ctx x = { .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                     .c = c, .rootfd = -1, .rootfs = "/r", .bundle = "/b" };
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *s = engine_spec_generate(&x, &err);
        free(x.home);
        if (!s)
                fail_msg("spec: %s", cu_error_msg(err));
        return s;
}

static json_t *find(json_t *spec, const char *dst, size_t *idx)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_string_value(json_object_get(m, "destination")), dst) == 0) {
                        if (idx)
                                *idx = i;
                        return m;
                }
        return NULL;
}

static void test_config(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *v[] = { (char *) "/host:/data:ro", (char *) "named:/n", NULL };
        char *t[] = { (char *) "/t", NULL };
        _cleanup_json_ json_t *c = config(v, NULL, t, false, true,
                                          "{\"Volumes\": {\"/data\": {}, \"/img/vol\": {}}}", &err);
        assert_non_null(c);
        json_t *m = json_object_get(c, "Mounts");
        /* /data is the user's; /img/vol becomes an anonymous volume */
        assert_int_equal(json_array_size(m), 4);
        json_t *anon = json_array_get(m, 3);
        assert_string_equal(json_string_value(json_object_get(anon, "Destination")), "/img/vol");
        assert_true(json_is_true(json_object_get(anon, "Anonymous")));
        assert_true(json_is_true(json_object_get(c, "ReadOnlyTmpfs")));

        char *dup[] = { (char *) "/a:/x", NULL };
        char *dupm[] = { (char *) "type=tmpfs,dst=/x/", NULL };
        assert_null(config(dup, dupm, NULL, false, true, NULL, &err));
        assert_string_equal(cu_error_msg(err), "/x: duplicate mount destination");
}

static void test_spec_mounts(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *v[] = { (char *) "/inner:/a/b/c", (char *) "/outer:/a:rslave", (char *) "/shm:/dev/shm", NULL };
        _cleanup_json_ json_t *c = config(v, NULL, NULL, false, true, NULL, &err);
        assert_non_null(c);
        _cleanup_json_ json_t *spec = spec_of(c);
        size_t ia = 0, ic = 0;
        json_t *a = find(spec, "/a", &ia);
        assert_non_null(a);
        assert_non_null(find(spec, "/a/b/c", &ic));
        assert_true(ia < ic);
        assert_string_equal(json_string_value(json_object_get(a, "source")), "/outer");
        assert_string_equal(json_string_value(json_object_get(a, "type")), "bind");
        /* the user's /dev/shm replaced the default one */
        json_t *shm = find(spec, "/dev/shm", NULL);
        assert_string_equal(json_string_value(json_object_get(shm, "type")), "bind");
        size_t n = 0, i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                n += strcmp(json_string_value(json_object_get(m, "destination")), "/dev/shm") == 0;
        assert_int_equal(n, 1);
        assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "linux"), "rootfsPropagation")),
                            "rslave");
}

static void test_read_only_tmpfs(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *t[] = { (char *) "/run:size=1m", NULL };
        _cleanup_json_ json_t *c = config(NULL, NULL, t, true, true, NULL, &err);
        _cleanup_json_ json_t *spec = spec_of(c);
        assert_non_null(find(spec, "/tmp", NULL));
        assert_non_null(find(spec, "/var/tmp", NULL));
        json_t *run = find(spec, "/run", NULL);
        assert_non_null(run);
        _cleanup_free_ char *text = json_dumps(json_object_get(run, "options"), JSON_COMPACT);
        assert_string_equal(text, "[\"rprivate\",\"rw\",\"nosuid\",\"nodev\",\"size=1m\",\"tmpcopyup\"]");

        _cleanup_json_ json_t *c2 = config(NULL, NULL, NULL, true, false, NULL, &err);
        _cleanup_json_ json_t *spec2 = spec_of(c2);
        assert_null(find(spec2, "/tmp", NULL));
        _cleanup_json_ json_t *c3 = config(NULL, NULL, NULL, false, true, NULL, &err);
        _cleanup_json_ json_t *spec3 = spec_of(c3);
        assert_null(find(spec3, "/tmp", NULL));
        assert_null(json_object_get(json_object_get(spec3, "linux"), "rootfsPropagation"));
}

static void test_inspect(void **state)
{
        (void) state;
        _cleanup_error_ struct cu_error *err = NULL;
        char *v[] = { (char *) "/host:/h:ro", NULL };
        char *t[] = { (char *) "/t:size=1m", NULL };
        _cleanup_json_ json_t *c = config(v, NULL, t, false, true, NULL, &err);
        _cleanup_json_ json_t *out = json_pack("{s:{}}", "HostConfig");
        engine_inspect_volumes(NULL, NULL, c, out);
        _cleanup_free_ char *mounts = json_dumps(json_object_get(out, "Mounts"), JSON_COMPACT);
        assert_string_equal(mounts, "[{\"Type\":\"bind\",\"Source\":\"/host\",\"Destination\":\"/h\",\"Driver\":\"\",\"Mode\":\"\",\"Options\":[\"rbind\"],\"RW\":false,\"Propagation\":\"rprivate\"}]");
        json_t *host = json_object_get(out, "HostConfig");
        _cleanup_free_ char *binds = json_dumps(json_object_get(host, "Binds"), JSON_COMPACT);
        assert_string_equal(binds, "[\"/host:/h:ro,rprivate,rbind\"]");
        _cleanup_free_ char *tmpfs = json_dumps(json_object_get(host, "Tmpfs"), JSON_COMPACT);
        assert_string_equal(tmpfs, "{\"/t\":\"rw,size=1m\"}");
        _cleanup_json_ json_t *ps = json_object();
        engine_ps_volumes(NULL, NULL, c, ps);
        _cleanup_free_ char *pm = json_dumps(json_object_get(ps, "Mounts"), JSON_COMPACT);
        assert_string_equal(pm, "[\"/h\"]");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_spec_mounts),
                cmocka_unit_test(test_read_only_tmpfs),
                cmocka_unit_test(test_inspect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
