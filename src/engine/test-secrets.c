/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secrets.c: --secret parsing, base64, the file driver store, the container's copies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/bind-internal.h"
#include "engine/secrets.h"
#include "util/fileio.h"

static char dir[64];
static struct db *db;
static struct engine e;

static int setup(void **state)
{
        (void) state;
        snprintf(dir, sizeof dir, "/tmp/test-secrets-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        char p[128];
        snprintf(p, sizeof p, "%s/db.sqlite", dir);
        if (db_open(p, &db, NULL) < 0)
                return -1;
        e = (struct engine){ .db = db, .root = dir, .runroot = dir };
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        db_close(db);
        rm_rf(dir);
        return 0;
}

static void parse_ok(const char *spec, const char *source, bool env, const char *target, unsigned uid,
                     unsigned gid, unsigned mode)
{
        struct secret_use u = { 0 };
        struct cu_error *err = NULL;
        if (secret_use_parse(spec, &u, &err) < 0)
                fail_msg("%s: %s", spec, cu_error_msg(err));
        assert_string_equal(u.source, source);
        assert_int_equal(u.env, env);
        if (target)
                assert_string_equal(u.target, target);
        else
                assert_null(u.target);
        assert_int_equal(u.uid, uid);
        assert_int_equal(u.gid, gid);
        assert_int_equal(u.mode, mode);
        secret_use_done(&u);
}

static void parse_bad(const char *spec, const char *msg)
{
        struct secret_use u = { 0 };
        struct cu_error *err = NULL;
        assert_int_equal(secret_use_parse(spec, &u, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), msg);
        cu_error_free(err);
}

static void test_parse(void **state)
{
        (void) state;
        parse_ok("s", "s", false, NULL, 0, 0, 0444);
        parse_ok("s,type=env", "s", true, NULL, 0, 0, 0444);
        parse_ok("s,type=env,target=FOO", "s", true, "FOO", 0, 0, 0444);
        parse_ok("source=s,target=/etc/x,uid=1000,GID=10,mode=0400", "s", false, "/etc/x", 1000, 10, 0400);
        parse_ok("s,type=mount,target=rel", "s", false, "rel", 0, 0, 0444);
        parse_bad("s,type=bad", "type bad is invalid: parsing secret");
        parse_bad("s,type=env,type=env", "cannot set more than one secret type: parsing secret");
        parse_bad("s,uid=1,type=env", "UID, GID, Mode options cannot be set with secret type env: parsing secret");
        parse_bad("s,foo=1", "option foo=1 invalid: parsing secret");
        parse_bad("s,mode=abc", "mode abc invalid: parsing secret");
        parse_bad("s,mode=9", "mode 9 invalid: parsing secret");
        parse_bad("s,uid=-1", "UID -1 invalid: parsing secret");
        parse_bad("s,gid=x", "GID x invalid: parsing secret");
        parse_bad("s,target", "option target must be in form option=value: parsing secret");
        parse_bad("type=env,target=X", "no source found type=env,target=X: parsing secret");
}

static void test_base64(void **state)
{
        (void) state;
        const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
        const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
        for (size_t i = 0; i < 7; i++) {
                char *s = secret_b64_encode(in[i], strlen(in[i]));
                assert_string_equal(s, out[i]);
                char *d = NULL;
                size_t n = 0;
                assert_int_equal(secret_b64_decode(s, &d, &n), 0);
                assert_int_equal(n, strlen(in[i]));
                assert_memory_equal(d, in[i], n);
                free(s);
                free(d);
        }
        unsigned char bin[256];
        for (int i = 0; i < 256; i++)
                bin[i] = (unsigned char) i;
        char *s = secret_b64_encode(bin, sizeof bin), *d = NULL;
        size_t n = 0;
        assert_int_equal(secret_b64_decode(s, &d, &n), 0);
        assert_int_equal(n, 256);
        assert_memory_equal(d, bin, 256);
        free(s);
        free(d);
        const char *bad[] = { "Zg=", "Z===", "Zm9v!A==", "=Zm9", "Zg==Zg==" };
        for (size_t i = 0; i < 5; i++)
                assert_int_equal(secret_b64_decode(bad[i], &d, &n), -EINVAL);
}

static void test_store(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        char id[SECRET_ID_LEN + 1], *labels[] = { (char *) "a=b", NULL };
        struct engine_secret_create_opts o = { .name = "pw", .data = "hunter2", .len = 7, .labels = labels };
        assert_int_equal(engine_secret_create(&e, &o, id, &err), 0);
        char p[256];
        snprintf(p, sizeof p, "%s/secrets/filedriver/%s", dir, id);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(engine_secret_create(&e, &o, id, &err), -EEXIST);
        assert_string_equal(cu_error_msg(err), "pw: secret name in use");
        cu_error_clear(&err);
        o.name = "empty";
        o.len = 0;
        assert_int_equal(engine_secret_create(&e, &o, id, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "secret data must be larger than 0 and less than 512000 bytes");
        cu_error_clear(&err);
        o.len = SECRET_DATA_MAX;
        assert_int_equal(engine_secret_create(&e, &o, id, &err), -EINVAL);
        cu_error_clear(&err);
        o = (struct engine_secret_create_opts){ .name = "x", .data = "1", .len = 1, .driver = "pass" };
        assert_int_equal(engine_secret_create(&e, &o, id, &err), -EINVAL);
        cu_error_clear(&err);

        struct secret_rec *r = NULL;
        assert_int_equal(engine_secret_get(&e, "pw", &r, &err), 0);
        json_t *j = engine_secret_json(r);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "Spec"), "Name")), "pw");
        assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "Spec"), "Labels"), "a")), "b");
        json_t *opts = json_object_get(json_object_get(json_object_get(j, "Spec"), "Driver"), "Options");
        assert_non_null(strstr(json_string_value(json_object_get(opts, "path")), "/secrets/filedriver"));
        json_decref(j);

        /* a container's copy survives the secret's removal */
        json_t *c = json_object();
        char *specs[] = { (char *) "pw,target=/etc/pw,uid=5,mode=0400", (char *) "pw,type=env,target=PW", NULL };
        assert_int_equal(secrets_config(&e, c, specs, &err), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(c, "EnvSecrets"), "PW")), "pw");
        json_t *s0 = json_array_get(json_object_get(c, "Secrets"), 0);
        assert_int_equal(json_integer_value(json_object_get(s0, "UID")), 5);
        assert_int_equal(json_integer_value(json_object_get(s0, "Mode")), 0400);
        assert_string_equal(json_string_value(json_object_get(json_object_get(c, "SecretsData"), "pw")), "aHVudGVyMg==");
        char *bad[] = { (char *) "nosuch", NULL };
        assert_int_equal(secrets_config(&e, c, bad, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "no secret with name or id \"nosuch\": no such secret");
        cu_error_clear(&err);

        char bundle[128];
        snprintf(bundle, sizeof bundle, "%s/bundle", dir);
        mkdir(bundle, 0700);
        json_t *spec = json_pack("{s:{s:[]}, s:[]}", "process", "env", "mounts");
        struct engine_spec_ctx x = { .e = &e, .id = "cid", .c = c, .rootfd = -1, .bundle = bundle, .write_files = true };
        assert_int_equal(secrets_spec(spec, &x, &err), 0);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(spec, "process"), "env"), 0)),
                            "PW=hunter2");
        json_t *mounts = json_object_get(spec, "mounts");
        assert_int_equal(json_array_size(mounts), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(mounts, 0), "destination")), "/run/secrets");
        assert_string_equal(json_string_value(json_object_get(json_array_get(mounts, 1), "destination")), "/etc/pw");
        snprintf(p, sizeof p, "%s/secrets/pw", bundle);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0400);
        assert_int_equal(st.st_uid, 5);
        json_decref(spec);

        assert_int_equal(engine_secret_remove(&e, "pw", &err), 0);
        snprintf(p, sizeof p, "%s/secrets/filedriver/%s", dir, r->id);
        assert_int_equal(access(p, F_OK), -1);
        assert_int_equal(engine_secret_remove(&e, "pw", &err), -ENOENT);
        cu_error_clear(&err);
        /* the mount copy still works; the env secret is gone */
        spec = json_pack("{s:{s:[]}, s:[]}", "process", "env", "mounts");
        json_object_del(c, "EnvSecrets");
        assert_int_equal(secrets_spec(spec, &x, &err), 0);
        json_decref(spec);
        secret_rec_free(r);
        json_decref(c);
        cu_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_base64),
                cmocka_unit_test(test_store),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
