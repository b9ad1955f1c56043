/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state/volumes.h"
#include "util/fileio.h"

static char tmpdir[256];
static struct db *db;

static int setup(void **state)
{
        (void) state;
        char path[PATH_MAX];
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cuttle-test-vol-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        snprintf(path, sizeof(path), "%s/db.sqlite", tmpdir);
        _cleanup_error_ struct cu_error *err = NULL;
        if (db_open(path, &db, &err) < 0 || vol_db_init(db, &err) < 0 || vol_db_init(db, &err) < 0) {
                fprintf(stderr, "%s\n", cu_error_msg(err));
                return -1;
        }
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        db = db_close(db);
        return rm_rf(tmpdir) < 0 ? -1 : 0;
}

static int add(const char *name, bool anon)
{
        char mp[256];
        snprintf(mp, sizeof mp, "/r/volumes/%s/_data", name);
        struct vol_record v = { .name = (char *) name, .driver = (char *) "local", .mountpoint = mp,
                                .created = 42, .labels = (char *) "{\"a\":\"b\"}", .anonymous = anon,
                                .needs_copy_up = true, .needs_chown = true };
        _cleanup_error_ struct cu_error *err = NULL;
        return vol_add(db, &v, &err);
}

static void test_names(void **state)
{
        (void) state;
        assert_true(vol_name_valid("a"));
        assert_true(vol_name_valid("data_1.x-y"));
        assert_false(vol_name_valid(""));
        assert_false(vol_name_valid("-x"));
        assert_false(vol_name_valid("a/b"));
        assert_false(vol_name_valid("bad@name"));
        assert_false(vol_name_valid(NULL));
}

static void test_add_get(void **state)
{
        (void) state;
        assert_int_equal(add("data", false), 0);
        _cleanup_error_ struct cu_error *err = NULL;
        assert_int_equal(add("data", false), -EEXIST);
        char mp[] = "/x";
        struct vol_record dup = { .name = (char *) "data", .driver = (char *) "local", .mountpoint = mp };
        assert_int_equal(vol_add(db, &dup, &err), -EEXIST);
        assert_string_equal(cu_error_msg(err), "volume with name data already exists: volume already exists");
        cu_error_clear(&err);
        struct vol_record bad = { .name = (char *) "b@d", .driver = (char *) "local", .mountpoint = mp };
        assert_int_equal(vol_add(db, &bad, &err), -EINVAL);
        cu_error_clear(&err);

        _cleanup_vol_record_ struct vol_record *v = NULL;
        assert_int_equal(vol_get(db, "data", &v, &err), 0);
        assert_string_equal(v->name, "data");
        assert_string_equal(v->driver, "local");
        assert_string_equal(v->mountpoint, "/r/volumes/data/_data");
        assert_string_equal(v->labels, "{\"a\":\"b\"}");
        assert_string_equal(v->options, "{}");
        assert_string_equal(v->mounted_by, "[]");
        assert_int_equal(v->created, 42);
        assert_true(v->needs_copy_up && v->needs_chown);
        assert_false(v->anonymous);

        assert_int_equal(vol_get(db, "nosuch", &v, &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "no volume with name \"nosuch\" found: no such volume");
        cu_error_clear(&err);
        assert_int_equal(vol_remove(db, "data", &err), 0);
        assert_int_equal(vol_remove(db, "data", &err), -ENOENT);
}

static void test_prefix_and_list(void **state)
{
        (void) state;
        assert_int_equal(add("alpha1", false), 0);
        assert_int_equal(add("alpha2", true), 0);
        assert_int_equal(add("beta", false), 0);
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_vol_record_ struct vol_record *v = NULL;
        assert_int_equal(vol_get(db, "be", &v, &err), 0);
        assert_string_equal(v->name, "beta");
        struct vol_record *w = NULL;
        assert_int_equal(vol_get(db, "alpha", &w, &err), -ENOTUNIQ);
        cu_error_clear(&err);
        /* '%' and '_' are not LIKE wildcards here */
        assert_int_equal(vol_get(db, "%", &w, &err), -ENOENT);
        cu_error_clear(&err);

        _cleanup_vol_record_list_ struct vol_record **list = NULL;
        size_t n = 0;
        assert_int_equal(vol_list(db, &list, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(list[0]->name, "alpha1");
        assert_string_equal(list[1]->name, "alpha2");
        assert_true(list[1]->anonymous);
        assert_string_equal(list[2]->name, "beta");
        assert_null(list[3]);
}

static void test_update_state(void **state)
{
        (void) state;
        assert_int_equal(add("st", false), 0);
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_vol_record_ struct vol_record *v = NULL;
        assert_int_equal(vol_get(db, "st", &v, &err), 0);
        v->needs_copy_up = false;
        v->needs_chown = false;
        free(v->mounted_by);
        v->mounted_by = strdup("[\"abc\"]");
        assert_int_equal(vol_update_state(db, v, &err), 0);
        _cleanup_vol_record_ struct vol_record *again = NULL;
        assert_int_equal(vol_get(db, "st", &again, &err), 0);
        assert_false(again->needs_copy_up);
        assert_false(again->needs_chown);
        assert_string_equal(again->mounted_by, "[\"abc\"]");
        free(v->name);
        v->name = strdup("gone");
        assert_int_equal(vol_update_state(db, v, &err), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test_setup_teardown(test_add_get, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prefix_and_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_update_state, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
