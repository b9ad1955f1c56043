/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The secrets table: add, lookup (name, ID, prefix), list, update, delete, names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/secrets.h"
#include "util/fileio.h"

static char tmpdir[64];
static struct db *db;

static int setup(void **state)
{
        (void) state;
        snprintf(tmpdir, sizeof tmpdir, "/tmp/test-state-secrets-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        char p[128];
        snprintf(p, sizeof p, "%s/db.sqlite", tmpdir);
        struct cu_error *err = NULL;
        int r = db_open(p, &db, &err);
        if (r >= 0)
                r = secret_db_init(db, &err);
        if (r >= 0)
                r = secret_db_init(db, &err); /* idempotent */
        cu_error_free(err);
        return r < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        (void) state;
        db_close(db);
        rm_rf(tmpdir);
        return 0;
}

static void add(const char *id, const char *name, int64_t t)
{
        struct secret_rec r = { .name = (char *) name, .driver = (char *) "file", .created = t, .updated = t };
        snprintf(r.id, sizeof r.id, "%s", id);
        struct cu_error *err = NULL;
        if (secret_add(db, &r, &err) < 0)
                fail_msg("%s", cu_error_msg(err));
}

static void test_names(void **state)
{
        (void) state;
        const char *good[] = { "a", "A9", "my.secret_1-x", "0", NULL };
        const char *bad[] = { "", "-a", "a-", "a/b", "a,b", "a b", "a=b", ".a", NULL };
        for (const char **p = good; *p; p++)
                assert_true(secret_name_valid(*p));
        for (const char **p = bad; *p; p++)
                assert_false(secret_name_valid(*p));
        char n65[66];
        memset(n65, 'a', 65);
        n65[65] = '\0';
        assert_false(secret_name_valid(n65));
        n65[64] = '\0';
        assert_true(secret_name_valid(n65));
        char id[SECRET_ID_LEN + 1], id2[SECRET_ID_LEN + 1];
        assert_int_equal(secret_id_generate(id), 0);
        assert_int_equal(secret_id_generate(id2), 0);
        assert_int_equal(strlen(id), SECRET_ID_LEN);
        assert_int_equal(strspn(id, "0123456789abcdef"), SECRET_ID_LEN);
        assert_string_not_equal(id, id2);
}

static void test_crud(void **state)
{
        (void) state;
        add("aaaa000000000000000000001", "first", 10);
        add("aaab000000000000000000002", "second", 5);
        struct cu_error *err = NULL;
        struct secret_rec dup = { .id = "bbbb000000000000000000003", .name = (char *) "first",
                                  .driver = (char *) "file" };
        assert_int_equal(secret_add(db, &dup, &err), -EEXIST);
        assert_string_equal(cu_error_msg(err), "first: secret name in use");
        cu_error_clear(&err);
        dup.name = (char *) "bad/name";
        assert_int_equal(secret_add(db, &dup, &err), -EINVAL);
        assert_non_null(strstr(cu_error_msg(err), "bad/name: invalid secret name"));
        cu_error_clear(&err);

        struct secret_rec *r = NULL;
        assert_int_equal(secret_get(db, "first", &r, &err), 0);
        assert_string_equal(r->id, "aaaa000000000000000000001");
        assert_string_equal(r->labels, "{}");
        assert_string_equal(r->driver_opts, "{}");
        secret_rec_free(r);
        assert_int_equal(secret_get(db, "aaab000000000000000000002", &r, &err), 0);
        assert_string_equal(r->name, "second");
        secret_rec_free(r);
        assert_int_equal(secret_get(db, "aaab", &r, &err), 0); /* unique prefix */
        assert_string_equal(r->name, "second");
        secret_rec_free(r);
        assert_int_equal(secret_get(db, "aaa", &r, &err), -ENOTUNIQ);
        cu_error_clear(&err);
        assert_int_equal(secret_get(db, "nosuch", &r, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "no secret with name or id \"nosuch\": no such secret");
        cu_error_clear(&err);

        struct secret_rec **v = NULL;
        size_t n = 0;
        assert_int_equal(secret_list(db, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0]->name, "second"); /* oldest first */
        assert_string_equal(v[1]->name, "first");
        assert_null(v[2]);
        secret_rec_list_free(v);

        struct secret_rec up = { .id = "aaaa000000000000000000001", .driver = (char *) "file",
                                 .labels = (char *) "{\"a\":\"b\"}", .updated = 99 };
        assert_int_equal(secret_update(db, &up, &err), 0);
        assert_int_equal(secret_get(db, "first", &r, &err), 0);
        assert_string_equal(r->labels, "{\"a\":\"b\"}");
        assert_int_equal(r->updated, 99);
        assert_int_equal(r->created, 10);
        secret_rec_free(r);

        assert_int_equal(secret_delete(db, "aaaa000000000000000000001", &err), 0);
        assert_int_equal(secret_delete(db, "aaaa000000000000000000001", &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(secret_get(db, "aaa", &r, &err), 0); /* now unique */
        secret_rec_free(r);
        cu_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_crud),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
