/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "storage/reference.h"

static void check(const char *in, const char *dom, const char *want)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *s = image_ref_normalize_string(in, dom, &err);
        if (!s)
                fail_msg("%s: %s", in, cu_error_msg(err));
        assert_string_equal(s, want);
}

static void bad(const char *in, const char *msg)
{
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *s = image_ref_normalize_string(in, "localhost", &err);
        if (s)
                fail_msg("%s parsed as %s", in, s);
        assert_non_null(err);
        assert_string_equal(err->msg, msg);
}

static void test_normalize(void **state)
{
        check("busybox", "docker.io", "docker.io/library/busybox:latest");
        check("busybox", "localhost", "localhost/busybox:latest");
        check("foo/bar:1.0", "docker.io", "docker.io/foo/bar:1.0");
        check("127.0.0.1:5000/a/b", "docker.io", "127.0.0.1:5000/a/b:latest");
        check("localhost/x:y", "docker.io", "localhost/x:y");
        check("localhost:5000/x", "docker.io", "localhost:5000/x:latest");
        check("quay.io/a_b/c-d.e__f:v_1.2-3", "docker.io", "quay.io/a_b/c-d.e__f:v_1.2-3");
        check("x@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "localhost", "localhost/x@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check("x:t@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "localhost", "localhost/x:t@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check("Registry.Example.COM/x", "docker.io", "Registry.Example.COM/x:latest");
        check("[::1]:5000/x", "docker.io", "[::1]:5000/x:latest");
}

static void test_bad(void **state)
{
        bad("", "invalid reference format");
        bad("Busybox", "invalid reference format: repository name must be lowercase");
        bad("a//b", "invalid reference format");
        bad("a/", "invalid reference format");
        bad("-a", "invalid reference format");
        bad("a:", "invalid reference format");
        bad("a:-x", "invalid reference format");
        bad("a@sha256:abc", "invalid reference format");
        bad("a@md5:abc", "invalid reference format: unsupported digest algorithm");
        bad("a b", "invalid reference format");
        bad("../x", "invalid reference format");
        bad("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "invalid repository name (e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855), "
            "cannot specify 64-byte hexadecimal strings");
        char longname[300];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        bad(longname, "invalid reference format: repository name must not be more than 255 characters");
        bad("ex-.com/x", "invalid reference format");
        bad("host:port/x", "invalid reference format");
}

static void test_parse_parts(void **state)
{
        struct image_ref r = { 0 };
        assert_int_equal(image_ref_parse("reg:5000/ns/img:tag", &r, NULL), 0);
        assert_string_equal(r.domain, "reg:5000");
        assert_string_equal(r.path, "ns/img");
        assert_string_equal(r.tag, "tag");
        assert_null(r.digest);
        _cleanup_free_ char *repo = image_ref_repository(&r);
        assert_string_equal(repo, "reg:5000/ns/img");
        image_ref_done(&r);
        assert_int_equal(image_ref_parse("img", &r, NULL), 0);
        assert_null(r.domain);
        assert_null(r.tag);
        image_ref_done(&r);
        assert_true(is_id_prefix("abc123"));
        assert_false(is_id_prefix("abcg"));
        assert_false(is_full_id("abc"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_parse_parts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
