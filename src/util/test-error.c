/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"

static void test_set_with_strerror(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char want[256];

        assert_int_equal(cu_error_set(&err, ENOENT, "opening %s", "/x"), -ENOENT);
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        snprintf(want, sizeof want, "opening /x: %s", strerror(ENOENT));
        assert_string_equal(err->msg, want);
        assert_string_equal(cu_error_msg(err), want);
}

static void test_set_negative_errnum(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char want[256];

        /* Callers often pass r (already negative): same result as the positive errno. */
        assert_int_equal(cu_error_set(&err, -EACCES, "mkdir %d", 7), -EACCES);
        assert_int_equal(err->errnum, EACCES);
        snprintf(want, sizeof want, "mkdir 7: %s", strerror(EACCES));
        assert_string_equal(err->msg, want);
}

static void test_set_zero_is_eio(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        /* errnum 0: plain message, no ": Success", returns -EIO. */
        assert_int_equal(cu_error_set(&err, 0, "something %s", "odd"), -EIO);
        assert_int_equal(err->errnum, 0);
        assert_string_equal(err->msg, "something odd");
        assert_null(strstr(err->msg, strerror(0)));
}

static void test_setx_no_strerror(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        assert_int_equal(cu_error_setx(&err, EINVAL, "invalid name \"%s\"", "a b"), -EINVAL);
        assert_int_equal(err->errnum, EINVAL);
        assert_string_equal(err->msg, "invalid name \"a b\"");

        assert_int_equal(cu_error_setx(&err, 0, "plain"), -EIO);
        assert_string_equal(err->msg, "plain");
        assert_int_equal(err->errnum, 0);

        assert_int_equal(cu_error_setx(&err, -ERANGE, "neg"), -ERANGE);
        assert_int_equal(err->errnum, ERANGE);
        assert_string_equal(err->msg, "neg");
}

static void test_set_replaces_previous(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        cu_error_setx(&err, EPERM, "first");
        cu_error_setx(&err, EEXIST, "second");
        assert_int_equal(err->errnum, EEXIST);
        assert_string_equal(err->msg, "second");
}

static void test_null_err_pointer(void **state)
{
        assert_int_equal(cu_error_set(NULL, ENOENT, "x %s", "y"), -ENOENT);
        assert_int_equal(cu_error_set(NULL, -ENOENT, "x"), -ENOENT);
        assert_int_equal(cu_error_set(NULL, 0, "x"), -EIO);
        assert_int_equal(cu_error_setx(NULL, EINVAL, "x"), -EINVAL);
        assert_int_equal(cu_error_setx(NULL, 0, "x"), -EIO);
        assert_int_equal(cu_error_prefix(NULL, -EBUSY, "ctx %d", 1), -EBUSY);
        assert_int_equal(cu_error_prefix(NULL, 0, "ctx"), 0);
        cu_error_clear(NULL);
        assert_null(cu_error_free(NULL));
        assert_string_equal(cu_error_msg(NULL), "unknown error");
}

static void test_prefix_chain(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;

        int r = cu_error_setx(&err, ENOENT, "c");
        assert_int_equal(cu_error_prefix(&err, r, "b"), -ENOENT);
        assert_int_equal(cu_error_prefix(&err, r, "%s", "a"), -ENOENT);
        assert_string_equal(err->msg, "a: b: c");
        /* The errno of the cause is kept. */
        assert_int_equal(err->errnum, ENOENT);

        /* The return value is r, whatever it is. */
        assert_int_equal(cu_error_prefix(&err, -EINVAL, "z"), -EINVAL);
        assert_string_equal(err->msg, "z: a: b: c");
        assert_int_equal(err->errnum, ENOENT);
}

static void test_prefix_with_strerror_cause(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char want[256];

        int r = cu_error_set(&err, EACCES, "opening %s", "/f");
        r = cu_error_prefix(&err, r, "creating container %s", "web");
        assert_int_equal(r, -EACCES);
        snprintf(want, sizeof want, "creating container web: opening /f: %s", strerror(EACCES));
        assert_string_equal(err->msg, want);
}

static void test_prefix_on_empty(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char want[256];

        /* A callee that returned -errno without filling err: the cause is strerror(r). */
        assert_int_equal(cu_error_prefix(&err, -ENOENT, "reading %s", "cfg"), -ENOENT);
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        snprintf(want, sizeof want, "reading cfg: %s", strerror(ENOENT));
        assert_string_equal(err->msg, want);
        cu_error_clear(&err);

        /* r >= 0 with no error: EIO. */
        assert_int_equal(cu_error_prefix(&err, 0, "ctx"), 0);
        assert_non_null(err);
        assert_int_equal(err->errnum, EIO);
        snprintf(want, sizeof want, "ctx: %s", strerror(EIO));
        assert_string_equal(err->msg, want);
}

static void test_clear_and_free(void **state)
{
        struct cu_error *err = NULL;

        cu_error_clear(&err); /* on an empty error: no-op */
        assert_null(err);

        cu_error_setx(&err, EINVAL, "x");
        assert_non_null(err);
        cu_error_clear(&err);
        assert_null(err);

        cu_error_set(&err, EIO, "y");
        assert_null(cu_error_free(err));
        err = NULL;

        /* A struct with a NULL msg is still freeable and printable. */
        struct cu_error *e = calloc(1, sizeof(*e));
        assert_non_null(e);
        assert_string_equal(cu_error_msg(e), "unknown error");
        assert_null(cu_error_free(e));
}

static void test_long_message(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char big[5000];

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        cu_error_setx(&err, EINVAL, "%s", big);
        assert_int_equal(strlen(err->msg), sizeof big - 1);
        cu_error_prefix(&err, -EINVAL, "%s", big);
        assert_int_equal(strlen(err->msg), 2 * (sizeof big - 1) + 2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_with_strerror),
                cmocka_unit_test(test_set_negative_errnum),
                cmocka_unit_test(test_set_zero_is_eio),
                cmocka_unit_test(test_setx_no_strerror),
                cmocka_unit_test(test_set_replaces_previous),
                cmocka_unit_test(test_null_err_pointer),
                cmocka_unit_test(test_prefix_chain),
                cmocka_unit_test(test_prefix_with_strerror_cause),
                cmocka_unit_test(test_prefix_on_empty),
                cmocka_unit_test(test_clear_and_free),
                cmocka_unit_test(test_long_message),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
