/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

static const char doc_text[] =
        "{\n"
        "  \"s\": \"str\", \"empty\": \"\", \"nul\": null,\n"
        "  \"t\": true, \"f\": false,\n"
        "  \"i\": 42, \"neg\": -7, \"zero\": 0, \"real\": 1.5, \"bigneg\": -9223372036854775808,\n"
        "  \"imax\": 9223372036854775807, \"u32max\": 4294967295, \"u32over\": 4294967296,\n"
        "  \"arr\": [\"a\", \"b\", \"\"], \"earr\": [], \"badarr\": [\"a\", 1],\n"
        "  \"map\": {\"k1\": \"v1\", \"k2\": \"\", \"a\": \"z\"}, \"emap\": {},\n"
        "  \"badmap\": {\"k\": \"v\", \"n\": 3},\n"
        "  \"obj\": {\"x\": 1}, \"num_s\": \"5\"\n"
        "}\n";

static json_t *doc;

static int setup(void **state)
{
        doc = json_load_data(doc_text, strlen(doc_text), "doc", NULL);
        return doc ? 0 : -1;
}

static int teardown(void **state)
{
        json_decref(doc);
        doc = NULL;
        return 0;
}

/* Asserts r == -EINVAL and the message is exactly want; clears err. */
static void assert_err(int r, struct cu_error **err, const char *want)
{
        assert_int_equal(r, -EINVAL);
        assert_non_null(*err);
        assert_string_equal((*err)->msg, want);
        assert_int_equal((*err)->errnum, EINVAL);
        cu_error_clear(err);
}

static void test_get_string(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char *s = NULL;

        assert_int_equal(json_get_string(doc, "s", "cfg", &s, &err), 0);
        assert_string_equal(s, "str");
        free(s);
        assert_int_equal(json_get_string(doc, "empty", "cfg", &s, &err), 0);
        assert_string_equal(s, "");
        free(s);

        s = (char *) 0x1;
        assert_int_equal(json_get_string(doc, "missing", "cfg", &s, &err), 0);
        assert_null(s);
        s = (char *) 0x1;
        assert_int_equal(json_get_string(doc, "nul", "cfg", &s, &err), 0);
        assert_null(s);
        assert_null(err);

        assert_err(json_get_string(doc, "i", "cfg", &s, &err), &err, "cfg.i: expected a string");
        assert_err(json_get_string(doc, "arr", "process", &s, &err), &err,
                   "process.arr: expected a string");
        assert_err(json_get_string(doc, "t", NULL, &s, &err), &err, "t: expected a string");
        assert_int_equal(json_get_string(doc, "i", "cfg", &s, NULL), -EINVAL);

        /* Not an object: nothing is present. */
        s = (char *) 0x1;
        assert_int_equal(json_get_string(NULL, "s", "cfg", &s, &err), 0);
        assert_null(s);
}

static void test_get_bool(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        bool b = false, present = false;

        assert_int_equal(json_get_bool(doc, "t", "c", &b, &present, &err), 0);
        assert_true(b);
        assert_true(present);
        assert_int_equal(json_get_bool(doc, "f", "c", &b, &present, &err), 0);
        assert_false(b);
        assert_true(present);

        b = true;
        assert_int_equal(json_get_bool(doc, "missing", "c", &b, &present, &err), 0);
        assert_false(present);
        assert_true(b); /* untouched */
        present = true;
        assert_int_equal(json_get_bool(doc, "nul", "c", &b, &present, &err), 0);
        assert_false(present);
        assert_int_equal(json_get_bool(doc, "t", "c", &b, NULL, &err), 0);
        assert_null(err);

        assert_err(json_get_bool(doc, "i", "c", &b, &present, &err), &err,
                   "c.i: expected a boolean");
        assert_err(json_get_bool(doc, "zero", "c", &b, NULL, &err), &err,
                   "c.zero: expected a boolean");
        assert_err(json_get_bool(doc, "s", "root", &b, NULL, &err), &err,
                   "root.s: expected a boolean");
}

static void test_get_int64(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int64_t v = 0;
        bool present = false;

        assert_int_equal(json_get_int64(doc, "i", "c", &v, &present, &err), 0);
        assert_true(v == 42 && present);
        assert_int_equal(json_get_int64(doc, "neg", "c", &v, &present, &err), 0);
        assert_true(v == -7);
        assert_int_equal(json_get_int64(doc, "imax", "c", &v, &present, &err), 0);
        assert_true(v == INT64_MAX);
        assert_int_equal(json_get_int64(doc, "bigneg", "c", &v, &present, &err), 0);
        assert_true(v == INT64_MIN);

        v = 99;
        assert_int_equal(json_get_int64(doc, "missing", "c", &v, &present, &err), 0);
        assert_false(present);
        assert_true(v == 99);
        present = true;
        assert_int_equal(json_get_int64(doc, "nul", "c", &v, &present, &err), 0);
        assert_false(present);
        assert_null(err);

        assert_err(json_get_int64(doc, "real", "c", &v, &present, &err), &err,
                   "c.real: expected an integer");
        assert_err(json_get_int64(doc, "num_s", "c", &v, &present, &err), &err,
                   "c.num_s: expected an integer");
        assert_err(json_get_int64(doc, "t", "c", &v, NULL, &err), &err, "c.t: expected an integer");
        assert_true(v == 99);
}

static void test_get_uint64_uint32(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        uint64_t v = 0;
        uint32_t w = 0;
        bool present = false;

        assert_int_equal(json_get_uint64(doc, "i", "c", &v, &present, &err), 0);
        assert_true(v == 42 && present);
        assert_int_equal(json_get_uint64(doc, "zero", "c", &v, &present, &err), 0);
        assert_true(v == 0);
        assert_int_equal(json_get_uint64(doc, "imax", "c", &v, &present, &err), 0);
        assert_true(v == INT64_MAX);
        v = 5;
        assert_int_equal(json_get_uint64(doc, "nul", "c", &v, &present, &err), 0);
        assert_false(present);
        assert_true(v == 5);

        assert_err(json_get_uint64(doc, "neg", "c", &v, &present, &err), &err,
                   "c.neg: expected a non-negative integer");
        assert_err(json_get_uint64(doc, "real", "c", &v, &present, &err), &err,
                   "c.real: expected a non-negative integer");
        assert_err(json_get_uint64(doc, "s", "c", &v, &present, &err), &err,
                   "c.s: expected a non-negative integer");
        assert_true(v == 5);

        assert_int_equal(json_get_uint32(doc, "u32max", "c", &w, &present, &err), 0);
        assert_true(w == UINT32_MAX && present);
        w = 3;
        assert_int_equal(json_get_uint32(doc, "missing", "c", &w, &present, &err), 0);
        assert_false(present);
        assert_true(w == 3);
        assert_err(json_get_uint32(doc, "u32over", "user", &w, &present, &err), &err,
                   "user.u32over: expected a 32-bit unsigned integer");
        assert_err(json_get_uint32(doc, "neg", "user", &w, &present, &err), &err,
                   "user.neg: expected a non-negative integer");
        assert_err(json_get_uint32(doc, "real", "user", &w, NULL, &err), &err,
                   "user.real: expected a non-negative integer");
        assert_true(w == 3);
}

static void test_uint64_above_int64_max(void **state)
{
        static const char text[] = "{ \"rlim\": 18446744073709551615, \"small\": 5,"
                                   " \"imax\": 9223372036854775807, \"neg\": -3,"
                                   " \"real\": 1.5, \"u32\": 4294967295,"
                                   " \"over\": 18446744073709555712, \"huge\": 1e300 }";
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_json_ json_t *j = json_load_data(text, strlen(text), "spec", &err);
        assert_non_null(j);
        assert_null(err);

        uint64_t v = 0;
        bool present = false;
        assert_int_equal(json_get_uint64(j, "rlim", "r", &v, &present, &err), 0);
        assert_true(present);
        assert_true(v == UINT64_MAX);
        /* The rest of the document, now read as reals, still reads as integers. */
        assert_int_equal(json_get_uint64(j, "small", "r", &v, &present, &err), 0);
        assert_true(v == 5);
        uint32_t w = 0;
        assert_int_equal(json_get_uint32(j, "u32", "r", &w, &present, &err), 0);
        assert_true(w == UINT32_MAX);
        int64_t i = 0;
        assert_int_equal(json_get_int64(j, "small", "r", &i, &present, &err), 0);
        assert_true(i == 5);
        assert_int_equal(json_get_int64(j, "neg", "r", &i, &present, &err), 0);
        assert_true(i == -3);
        /* INT64_MAX rounds to 2^63 as a double: still INT64_MAX for int64. */
        assert_int_equal(json_get_int64(j, "imax", "r", &i, &present, &err), 0);
        assert_true(i == INT64_MAX);
        assert_null(err);

        /* Reals that are not integers, and values out of range, are still refused. */
        assert_err(json_get_int64(j, "real", "r", &i, NULL, &err), &err,
                   "r.real: expected an integer");
        assert_err(json_get_uint64(j, "real", "r", &v, NULL, &err), &err,
                   "r.real: expected a non-negative integer");
        assert_err(json_get_uint64(j, "neg", "r", &v, NULL, &err), &err,
                   "r.neg: expected a non-negative integer");
        assert_err(json_get_int64(j, "rlim", "r", &i, NULL, &err), &err,
                   "r.rlim: expected an integer");
        assert_err(json_get_uint64(j, "over", "r", &v, NULL, &err), &err,
                   "r.over: expected a non-negative integer");
        assert_err(json_get_uint64(j, "huge", "r", &v, NULL, &err), &err,
                   "r.huge: expected a non-negative integer");
        assert_err(json_get_uint32(j, "rlim", "r", &w, NULL, &err), &err,
                   "r.rlim: expected a 32-bit unsigned integer");

        /* A too-big integer with a syntax error elsewhere: the syntax error is reported. */
        static const char bad[] = "{ \"a\": 18446744073709551615, \"b\": x }";
        assert_null(json_load_data(bad, strlen(bad), "spec", &err));
        assert_non_null(err);
        assert_string_equal(err->msg, "spec:1:35: invalid JSON: invalid token near 'x'");
}

static void test_get_strv(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char **l = NULL;

        assert_int_equal(json_get_strv(doc, "arr", "p", &l, &err), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b");
        assert_string_equal(l[2], "");
        l = strv_free(l);

        assert_int_equal(json_get_strv(doc, "earr", "p", &l, &err), 0);
        assert_non_null(l);
        assert_null(l[0]);
        l = strv_free(l);

        l = (char **) 0x1;
        assert_int_equal(json_get_strv(doc, "missing", "p", &l, &err), 0);
        assert_null(l);
        l = (char **) 0x1;
        assert_int_equal(json_get_strv(doc, "nul", "p", &l, &err), 0);
        assert_null(l);
        assert_null(err);

        assert_err(json_get_strv(doc, "badarr", "process", &l, &err), &err,
                   "process.badarr[1]: expected a string");
        assert_null(l);
        assert_err(json_get_strv(doc, "s", "process", &l, &err), &err,
                   "process.s: expected an array of strings");
        assert_err(json_get_strv(doc, "map", NULL, &l, &err), &err,
                   "map: expected an array of strings");
        assert_null(l);
}

static void test_get_string_map(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char **m = NULL;

        assert_int_equal(json_get_string_map(doc, "map", "a", &m, &err), 0);
        assert_int_equal(strv_length(m), 6);
        /* Document order is kept. */
        assert_string_equal(m[0], "k1");
        assert_string_equal(m[1], "v1");
        assert_string_equal(m[2], "k2");
        assert_string_equal(m[3], "");
        assert_string_equal(m[4], "a");
        assert_string_equal(m[5], "z");
        assert_string_equal(strv_map_get(m, "k1"), "v1");
        assert_string_equal(strv_map_get(m, "a"), "z");
        m = strv_free(m);

        assert_int_equal(json_get_string_map(doc, "emap", "a", &m, &err), 0);
        assert_non_null(m);
        assert_null(m[0]);
        m = strv_free(m);

        m = (char **) 0x1;
        assert_int_equal(json_get_string_map(doc, "missing", "a", &m, &err), 0);
        assert_null(m);
        assert_int_equal(json_get_string_map(doc, "nul", "a", &m, &err), 0);
        assert_null(m);
        assert_null(err);

        assert_err(json_get_string_map(doc, "badmap", "annotations", &m, &err), &err,
                   "annotations.badmap.n: expected a string");
        assert_null(m);
        assert_err(json_get_string_map(doc, "arr", "annotations", &m, &err), &err,
                   "annotations.arr: expected an object of strings");
}

static void test_get_object_array(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        json_t *v = NULL;

        assert_int_equal(json_get_object(doc, "obj", "c", &v, &err), 0);
        assert_ptr_equal(v, json_object_get(doc, "obj"));
        assert_int_equal(json_get_object(doc, "emap", "c", &v, &err), 0);
        assert_non_null(v);
        v = (json_t *) 0x1;
        assert_int_equal(json_get_object(doc, "missing", "c", &v, &err), 0);
        assert_null(v);
        v = (json_t *) 0x1;
        assert_int_equal(json_get_object(doc, "nul", "c", &v, &err), 0);
        assert_null(v);
        assert_err(json_get_object(doc, "arr", "linux", &v, &err), &err,
                   "linux.arr: expected an object");
        assert_null(v);

        assert_int_equal(json_get_array(doc, "arr", "c", &v, &err), 0);
        assert_ptr_equal(v, json_object_get(doc, "arr"));
        assert_int_equal(json_get_array(doc, "earr", "c", &v, &err), 0);
        assert_non_null(v);
        v = (json_t *) 0x1;
        assert_int_equal(json_get_array(doc, "missing", "c", &v, &err), 0);
        assert_null(v);
        assert_int_equal(json_get_array(doc, "nul", "c", &v, &err), 0);
        assert_null(v);
        assert_null(err);
        assert_err(json_get_array(doc, "obj", "linux", &v, &err), &err,
                   "linux.obj: expected an array");
        assert_err(json_get_array(doc, "s", NULL, &v, &err), &err, "s: expected an array");
}

static void test_load_data_errors(void **state)
{
        static const struct {
                const char *text, *want;
        } cases[] = {
                { "{\n  \"a\": 1,\n  \"b\": ]\n}",
                  "cfg.json:3:8: invalid JSON: unexpected token near ']'" },
                { "{\"a\":1,\"a\":2}",
                  "cfg.json:1:10: invalid JSON: duplicate object key near '\"a\"'" },
                { "{\"o\": {\"k\": 1,\n \"k\": 2}}",
                  "cfg.json:2:4: invalid JSON: duplicate object key near '\"k\"'" },
                { "", "cfg.json:1:0: invalid JSON: '[' or '{' expected near end of file" },
                { "{\"a\": 1} trailing",
                  "cfg.json:1:17: invalid JSON: end of file expected near 'trailing'" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_error_ struct cu_error *err = NULL;
                json_t *j = json_load_data(cases[i].text, strlen(cases[i].text), "cfg.json", &err);
                assert_null(j);
                assert_non_null(err);
                assert_int_equal(err->errnum, EINVAL);
                assert_string_equal(err->msg, cases[i].want);
                assert_null(json_load_data(cases[i].text, strlen(cases[i].text), "x", NULL));
        }

        /* len is honoured: the same bytes, cut short, are a syntax error; a prefix is valid. */
        static const char two[] = "{\"a\":1}{\"b\":2}";
        _cleanup_json_ json_t *j = json_load_data(two, 7, "p", NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
        assert_null(json_load_data(two, 5, "p", NULL));
}

static char tmpdir[PATH_MAX / 2];

static int nftw_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        return remove(p) < 0 ? -1 : 0;
}

static int setup_tmp(void **state)
{
        snprintf(tmpdir, sizeof tmpdir, "%s/cuttle-test-json-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        return mkdtemp(tmpdir) ? setup(state) : -1;
}

static int teardown_tmp(void **state)
{
        teardown(state);
        return nftw(tmpdir, nftw_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_load_path(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char p[PATH_MAX], want[PATH_MAX + 200];

        snprintf(p, sizeof p, "%s/missing.json", tmpdir);
        assert_null(json_load_path(p, &err));
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        snprintf(want, sizeof want, "open %s: %s", p, strerror(ENOENT));
        assert_string_equal(err->msg, want);
        cu_error_clear(&err);
        assert_null(json_load_path(p, NULL));

        snprintf(p, sizeof p, "%s/bad.json", tmpdir);
        static const char bad[] = "{\n\"a\": [1, 2,\n]}";
        assert_int_equal(write_file_atomic(p, bad, strlen(bad), 0644, NULL), 0);
        assert_null(json_load_path(p, &err));
        assert_non_null(err);
        assert_int_equal(err->errnum, EINVAL);
        snprintf(want, sizeof want, "%s:3:1: invalid JSON: unexpected token near ']'", p);
        assert_string_equal(err->msg, want);
        cu_error_clear(&err);

        snprintf(p, sizeof p, "%s/dup.json", tmpdir);
        static const char dup[] = "{\"a\": 1, \"b\": 2, \"a\": 3}";
        assert_int_equal(write_file_atomic(p, dup, strlen(dup), 0644, NULL), 0);
        assert_null(json_load_path(p, &err));
        assert_non_null(err);
        snprintf(want, sizeof want, "%s:1:20: invalid JSON: duplicate object key near '\"a\"'", p);
        assert_string_equal(err->msg, want);
        cu_error_clear(&err);

        snprintf(p, sizeof p, "%s/big.json", tmpdir);
        static const char big[] = "{\"hard\": 18446744073709551615, \"soft\": 1024}";
        assert_int_equal(write_file_atomic(p, big, strlen(big), 0644, NULL), 0);
        _cleanup_json_ json_t *j = json_load_path(p, &err);
        assert_non_null(j);
        assert_null(err);
        uint64_t v = 0;
        assert_int_equal(json_get_uint64(j, "hard", "rlimit", &v, NULL, &err), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(json_get_uint64(j, "soft", "rlimit", &v, NULL, &err), 0);
        assert_true(v == 1024);
}

static void test_write_file_atomic_round_trip(void **state)
{
        _cleanup_error_ struct cu_error *err = NULL;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/state.json", tmpdir);

        assert_int_equal(json_write_file_atomic(doc, p, 0600, &err), 0);
        assert_null(err);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        _cleanup_json_ json_t *back = json_load_path(p, &err);
        assert_non_null(back);
        assert_true(json_equal(doc, back));

        /* Compact output, and overwriting replaces the whole file. */
        _cleanup_json_ json_t *small =
                json_pack("{s:i, s:[b, n], s:s}", "a", 1, "b", 1, "c", "é\"");
        assert_non_null(small);
        assert_int_equal(json_write_file_atomic(small, p, 0644, &err), 0);
        _cleanup_free_ char *text = NULL;
        assert_int_equal(read_full_file(p, &text, NULL, NULL), 0);
        assert_string_equal(text, "{\"a\":1,\"b\":[true,null],\"c\":\"é\\\"\"}");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);

        /* Extremes survive the round trip. */
        _cleanup_json_ json_t *ext = json_pack("{s:I, s:I}", "max", (json_int_t) INT64_MAX, "min",
                                               (json_int_t) INT64_MIN);
        assert_int_equal(json_write_file_atomic(ext, p, 0644, &err), 0);
        _cleanup_json_ json_t *ext2 = json_load_path(p, &err);
        assert_non_null(ext2);
        int64_t i = 0;
        assert_int_equal(json_get_int64(ext2, "max", "x", &i, NULL, &err), 0);
        assert_true(i == INT64_MAX);
        assert_int_equal(json_get_int64(ext2, "min", "x", &i, NULL, &err), 0);
        assert_true(i == INT64_MIN);

        /* Failure: an error naming the file. */
        char q[PATH_MAX];
        snprintf(q, sizeof q, "%s/nodir/state.json", tmpdir);
        assert_int_equal(json_write_file_atomic(small, q, 0644, &err), -ENOENT);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, q));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_get_string, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_bool, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_int64, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_uint64_uint32, setup, teardown),
                cmocka_unit_test(test_uint64_above_int64_max),
                cmocka_unit_test_setup_teardown(test_get_strv, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_string_map, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_object_array, setup, teardown),
                cmocka_unit_test(test_load_data_errors),
                cmocka_unit_test_setup_teardown(test_load_path, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_write_file_atomic_round_trip, setup_tmp,
                                                teardown_tmp),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
