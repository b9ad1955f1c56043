/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auth.json: encode/decode, lookup order, rewrites that keep unknown keys, the read chain. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/auth-file.h"
#include "util/fileio.h"
#include "util/json.h"

static char tmp[64];

static int setup(void **state)
{
        snprintf(tmp, sizeof(tmp), "/tmp/cuttle-test-authfile-XXXXXX");
        if (!mkdtemp(tmp))
                return -1;
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("DOCKER_CONFIG");
        unsetenv("XDG_CONFIG_HOME");
        return 0;
}

static int teardown(void **state)
{
        return rm_rf(tmp);
}

static const char *P(const char *rel)
{
        static char bufs[4][256];
        static unsigned n;
        char *b = bufs[n++ % 4];
        snprintf(b, 256, "%s/%s", tmp, rel);
        return b;
}

static void put(const char *rel, const char *text)
{
        char d[256];
        snprintf(d, sizeof(d), "%s", P(rel));
        *strrchr(d, '/') = 0;
        assert_int_equal(mkdir_p(d, 0700), 0);
        assert_int_equal(write_file_atomic(P(rel), text, strlen(text), 0600, NULL), 0);
}

static void expect(const char *path, const char *key, const char *user, const char *pass)
{
        char *u = NULL, *p = NULL;
        struct cu_error *e = NULL;
        int r = auth_file_get(path, key, &u, &p, &e);
        if (r < 0)
                fail_msg("%s: %s", key, cu_error_msg(e));
        if (!user) {
                assert_int_equal(r, 0);
                return;
        }
        assert_int_equal(r, 1);
        assert_string_equal(u, user);
        assert_string_equal(p, pass);
        free(u);
        free(p);
}

static void test_codec(void **state)
{
        char *b = auth_encode("user", "p:a:ss");
        assert_string_equal(b, "dXNlcjpwOmE6c3M=");
        char *u = NULL, *p = NULL;
        assert_int_equal(auth_decode(b, &u, &p), 0);
        assert_string_equal(u, "user");
        assert_string_equal(p, "p:a:ss");
        free(u);
        free(p);
        free(b);
        b = auth_encode("", "");
        assert_int_equal(auth_decode(b, &u, &p), 0);
        assert_string_equal(u, "");
        free(u);
        free(p);
        free(b);
        /* no colon, bad alphabet, bad length, padding in the middle, NUL inside */
        static const char *const bad[] = { "dXNlcg==", "dXN!cjpw", "dXNlcjp", "", "dX==cjpw", "AGE6Yg==" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (auth_decode(bad[i], &u, &p) != -EINVAL)
                        fail_msg("accepted \"%s\"", bad[i]);
}

static void test_set_get_remove(void **state)
{
        const char *f = P("new/dir/auth.json");
        expect(f, "127.0.0.1:5000", NULL, NULL); /* missing file: nothing */
        assert_int_equal(auth_file_set(f, "127.0.0.1:5000", "alice", "s3cret", NULL), 0);
        assert_int_equal(auth_file_set(f, "quay.io/team/app", "bob", "pw", NULL), 0);
        struct stat st;
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(P("new/dir"), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        expect(f, "127.0.0.1:5000", "alice", "s3cret");
        expect(f, "127.0.0.1:5000/any/repo", "alice", "s3cret");
        expect(f, "quay.io/team/app", "bob", "pw");
        expect(f, "quay.io/team/app/sub", "bob", "pw");
        expect(f, "quay.io/team/other", NULL, NULL);
        expect(f, "quay.io", NULL, NULL);
        expect(f, "127.0.0.1:500", NULL, NULL);

        /* replace */
        assert_int_equal(auth_file_set(f, "127.0.0.1:5000", "alice", "new", NULL), 0);
        expect(f, "127.0.0.1:5000", "alice", "new");

        assert_int_equal(auth_file_remove(f, "127.0.0.1:5000", NULL), 1);
        assert_int_equal(auth_file_remove(f, "127.0.0.1:5000", NULL), 0);
        expect(f, "127.0.0.1:5000", NULL, NULL);
        expect(f, "quay.io/team/app", "bob", "pw");
        assert_int_equal(auth_file_remove_all(f, NULL), 0);
        expect(f, "quay.io/team/app", NULL, NULL);

        /* removing from a missing file creates nothing */
        assert_int_equal(auth_file_remove(P("none.json"), "x", NULL), 0);
        assert_int_equal(auth_file_remove_all(P("none.json"), NULL), 0);
        assert_int_equal(access(P("none.json"), F_OK), -1);
}

static void test_unknown_keys_kept(void **state)
{
        put("keep.json", "{\"auths\":{\"a.io\":{\"auth\":\"dTpw\",\"email\":\"x@y\",\"identitytoken\":\"t\"}},"
                         "\"credHelpers\":{\"gcr.io\":\"gcloud\"},\"psFormat\":\"table\"}");
        assert_int_equal(auth_file_set(P("keep.json"), "a.io", "u2", "p2", NULL), 0);
        assert_int_equal(auth_file_set(P("keep.json"), "b.io", "u3", "p3", NULL), 0);
        _cleanup_json_ json_t *j = json_load_path(P("keep.json"), NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "psFormat")), "table");
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "credHelpers"), "gcr.io")),
                            "gcloud");
        json_t *a = json_object_get(json_object_get(j, "auths"), "a.io");
        assert_string_equal(json_string_value(json_object_get(a, "email")), "x@y");
        assert_null(json_object_get(a, "identitytoken"));
        expect(P("keep.json"), "a.io", "u2", "p2");
        expect(P("keep.json"), "b.io", "u3", "p3");
}

static void test_legacy_keys(void **state)
{
        put("docker.json", "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"ZDpo\"},"
                           "\"http://old.io:5000/v2/\":{\"auth\":\"bzpw\"},"
                           "\"empty.io\":{\"auth\":\"\"},\"nested.io/path\":{}}}");
        expect(P("docker.json"), "docker.io", "d", "h");
        expect(P("docker.json"), "docker.io/library/busybox", "d", "h");
        expect(P("docker.json"), "old.io:5000", "o", "p");
        expect(P("docker.json"), "empty.io", NULL, NULL);
        expect(P("docker.json"), "nested.io", NULL, NULL);
}

static void test_bad_files(void **state)
{
        static const char *const cases[][2] = {
                { "{\"auths\": ", "bad1.json" },
                { "[1,2]", "not a JSON object" },
                { "{\"auths\":{\"x.io\":{\"auth\":\"!!!!\"}}}", "invalid credentials for \"x.io\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char name[32];
                snprintf(name, sizeof(name), "bad%zu.json", i + 1);
                put(name, cases[i][0]);
                char *u = NULL, *p = NULL;
                struct cu_error *e = NULL;
                assert_true(auth_file_get(P(name), "x.io", &u, &p, &e) < 0);
                if (!strstr(cu_error_msg(e), cases[i][1]))
                        fail_msg("%s: %s", cases[i][0], cu_error_msg(e));
                cu_error_free(e);
                e = NULL;
                assert_true(auth_file_set(P(name), "x.io", "u", "p", &e) < 0 || i == 2);
                cu_error_free(e);
        }
        put("auths-wrong.json", "{\"auths\": []}");
        struct cu_error *e = NULL;
        assert_int_equal(auth_file_set(P("auths-wrong.json"), "x.io", "u", "p", &e), -EINVAL);
        assert_non_null(strstr(cu_error_msg(e), "\"auths\" is not an object"));
        cu_error_free(e);
        /* an empty file is an empty configuration */
        put("empty.json", "\n");
        expect(P("empty.json"), "x.io", NULL, NULL);
        assert_int_equal(auth_file_set(P("empty.json"), "x.io", "u", "p", NULL), 0);
        expect(P("empty.json"), "x.io", "u", "p");
}

static void test_chain(void **state)
{
        setenv("HOME", P("home"), 1);
        setenv("XDG_RUNTIME_DIR", P("run"), 1);
        char *def = auth_file_path();
        assert_string_equal(def, P("run/containers/auth.json"));
        free(def);
        unsetenv("XDG_RUNTIME_DIR");
        def = auth_file_path();
        char want[64];
        snprintf(want, sizeof(want), "/run/containers/%u/auth.json", (unsigned) getuid());
        assert_string_equal(def, want);
        free(def);
        setenv("XDG_RUNTIME_DIR", P("run"), 1);

        put("home/.docker/config.json", "{\"auths\":{\"d.io\":{\"auth\":\"ZDpk\"},\"both.io\":{\"auth\":\"ZDpk\"}}}");
        put("home/.config/containers/auth.json", "{\"auths\":{\"x.io\":{\"auth\":\"eDp4\"}}}");
        put("home/.dockercfg", "{\"l.io\":{\"auth\":\"bDps\"}}");
        assert_int_equal(auth_file_set(NULL, "both.io", "run", "time", NULL), 0);
        expect(NULL, "both.io", "run", "time");  /* the primary file first */
        expect(NULL, "d.io", "d", "d");          /* then ~/.docker/config.json */
        expect(NULL, "x.io", "x", "x");          /* $XDG_CONFIG_HOME/containers/auth.json */
        expect(NULL, "l.io", "l", "l");          /* legacy ~/.dockercfg */
        expect(NULL, "none.io", NULL, NULL);
        assert_int_equal(access(P("run/containers/auth.json"), F_OK), 0);

        /* $REGISTRY_AUTH_FILE: written, and the only file read */
        setenv("REGISTRY_AUTH_FILE", P("explicit.json"), 1);
        expect(NULL, "d.io", NULL, NULL);
        assert_int_equal(auth_file_set(NULL, "e.io", "e", "e", NULL), 0);
        expect(P("explicit.json"), "e.io", "e", "e");
        assert_int_equal(auth_file_remove(NULL, "e.io", NULL), 1);
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("XDG_RUNTIME_DIR");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_codec),         cmocka_unit_test(test_set_get_remove),
                cmocka_unit_test(test_unknown_keys_kept), cmocka_unit_test(test_legacy_keys),
                cmocka_unit_test(test_bad_files),     cmocka_unit_test(test_chain),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
