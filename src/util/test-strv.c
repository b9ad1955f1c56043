/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/strv.h"

static void test_length(void **state)
{
        char *empty[] = { NULL };
        char *three[] = { "a", "", "c", NULL };

        assert_int_equal(strv_length(NULL), 0);
        assert_int_equal(strv_length(empty), 0);
        assert_int_equal(strv_length(three), 3);
}

static void test_contains(void **state)
{
        char *l[] = { "alpha", "", "beta", NULL };
        char *empty[] = { NULL };

        assert_true(strv_contains(l, "alpha"));
        assert_true(strv_contains(l, "beta"));
        assert_true(strv_contains(l, ""));
        assert_false(strv_contains(l, "alph"));
        assert_false(strv_contains(l, "alphab"));
        assert_false(strv_contains(l, "BETA"));
        assert_false(strv_contains(empty, "alpha"));
        assert_false(strv_contains(NULL, "alpha"));
}

static void test_copy(void **state)
{
        char *l[] = { "x", "yy", "", NULL };
        _cleanup_strv_ char **c = strv_copy(l);

        assert_non_null(c);
        assert_int_equal(strv_length(c), 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(c[i], l[i]);
                assert_ptr_not_equal(c[i], l[i]); /* deep copy */
        }
        assert_null(c[3]);

        /* NULL and empty both copy to an empty, non-NULL vector. */
        _cleanup_strv_ char **n = strv_copy(NULL);
        assert_non_null(n);
        assert_null(n[0]);
        char *empty[] = { NULL };
        _cleanup_strv_ char **e = strv_copy(empty);
        assert_non_null(e);
        assert_null(e[0]);
}

static void test_push_extend(void **state)
{
        _cleanup_strv_ char **l = NULL;

        /* Push onto a NULL vector creates it. */
        assert_int_equal(strv_push(&l, strdup("one")), 0);
        assert_non_null(l);
        assert_int_equal(strv_length(l), 1);
        assert_string_equal(l[0], "one");
        assert_null(l[1]);

        char two[] = "two";
        assert_int_equal(strv_extend(&l, two), 0);
        two[0] = 'X'; /* extend copied */
        assert_string_equal(l[1], "two");
        assert_int_equal(strv_extend(&l, ""), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[2], "");
        assert_null(l[3]);

        for (int i = 0; i < 100; i++)
                assert_int_equal(strv_extend(&l, "n"), 0);
        assert_int_equal(strv_length(l), 103);
        assert_true(strv_contains(l, "two"));
        assert_false(strv_contains(l, "Xwo"));

        _cleanup_strv_ char **m = NULL;
        assert_int_equal(strv_extend(&m, "first"), 0);
        assert_int_equal(strv_length(m), 1);
        assert_string_equal(m[0], "first");
}

static void test_strv_free(void **state)
{
        assert_null(strv_free(NULL));
        char **l = NULL;
        assert_int_equal(strv_extend(&l, "a"), 0);
        assert_int_equal(strv_extend(&l, "b"), 0);
        assert_null(strv_free(l));

        _cleanup_strv_ char **z = NULL; /* cleanup on NULL */
        (void) z;
}

static void test_env_get(void **state)
{
        char *env[] = {
                "PATH=/usr/bin:/bin", "EMPTY=", "A=1", "AB=2", "NOEQ", "B==x", "A=dup", NULL,
        };

        assert_string_equal(strv_env_get(env, "PATH"), "/usr/bin:/bin");
        assert_string_equal(strv_env_get(env, "EMPTY"), "");
        assert_string_equal(strv_env_get(env, "A"), "1"); /* first wins, not "AB" */
        assert_string_equal(strv_env_get(env, "AB"), "2");
        assert_string_equal(strv_env_get(env, "B"), "=x");
        assert_null(strv_env_get(env, "NOEQ")); /* no '=': not a definition */
        assert_null(strv_env_get(env, "PAT"));
        assert_null(strv_env_get(env, "PATH="));
        assert_null(strv_env_get(env, "path"));
        assert_null(strv_env_get(env, "MISSING"));
        assert_null(strv_env_get(NULL, "PATH"));
        char *empty[] = { NULL };
        assert_null(strv_env_get(empty, "PATH"));
}

static void test_map_get(void **state)
{
        char *kv[] = { "k1", "v1", "k2", "", "v1", "k1", "k1", "dup", NULL };

        assert_string_equal(strv_map_get(kv, "k1"), "v1");
        assert_string_equal(strv_map_get(kv, "k2"), "");
        /* "v1" is a value of pair 0 and the key of pair 2; k1 also repeats: first wins. */
        assert_string_equal(strv_map_get(kv, "v1"), "k1");
        assert_null(strv_map_get(kv, "k"));
        assert_null(strv_map_get(kv, "missing"));
        assert_null(strv_map_get(NULL, "k1"));

        /* A value that looks like a key is not matched as one. */
        char *kv2[] = { "a", "b", "b", "c", NULL };
        assert_string_equal(strv_map_get(kv2, "b"), "c");
        assert_null(strv_map_get(kv2, "c"));

        /* A trailing key without a value is ignored. */
        char *odd[] = { "a", "1", "b", NULL };
        assert_string_equal(strv_map_get(odd, "a"), "1");
        assert_null(strv_map_get(odd, "b"));
        assert_null(strv_map_get(odd, "1"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_length),   cmocka_unit_test(test_contains),
                cmocka_unit_test(test_copy),     cmocka_unit_test(test_push_extend),
                cmocka_unit_test(test_strv_free),     cmocka_unit_test(test_env_get),
                cmocka_unit_test(test_map_get),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
