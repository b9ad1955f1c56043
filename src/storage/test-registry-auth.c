/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WWW-Authenticate parsing, token URLs and responses, the token cache, error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/registry-auth.h"
#include "util/strv.h"

static void test_challenge_bearer(void **state)
{
        struct auth_challenge *c = NULL;
        size_t n = 0;
        assert_int_equal(auth_challenges_parse(
                                 "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                 "scope=\"repository:library/busybox:pull\"",
                                 &c, &n, NULL),
                         0);
        assert_int_equal(n, 1);
        assert_string_equal(c[0].scheme, "bearer");
        assert_string_equal(auth_challenge_param(&c[0], "realm"), "https://auth.docker.io/token");
        assert_string_equal(auth_challenge_param(&c[0], "service"), "registry.docker.io");
        assert_string_equal(auth_challenge_param(&c[0], "scope"), "repository:library/busybox:pull");
        assert_null(auth_challenge_param(&c[0], "error"));
        auth_challenges_free(c, n);
}

static void test_challenge_several(void **state)
{
        struct auth_challenge *c = NULL;
        size_t n = 0;
        /* odd spacing, case, unquoted tokens, escapes, a token68 challenge */
        assert_int_equal(auth_challenges_parse("BASIC Realm = \"a \\\"quoted\\\" realm\" , "
                                               "Negotiate abc123==, bearer realm=tok, service=\"s,v\"",
                                               &c, &n, NULL),
                         0);
        assert_int_equal(n, 3);
        assert_string_equal(c[0].scheme, "basic");
        assert_string_equal(auth_challenge_param(&c[0], "realm"), "a \"quoted\" realm");
        assert_string_equal(c[1].scheme, "negotiate");
        assert_int_equal(strv_length(c[1].params), 0);
        assert_string_equal(c[2].scheme, "bearer");
        assert_string_equal(auth_challenge_param(&c[2], "realm"), "tok");
        assert_string_equal(auth_challenge_param(&c[2], "service"), "s,v");
        auth_challenges_free(c, n);

        assert_int_equal(auth_challenges_parse("", &c, &n, NULL), 0);
        assert_int_equal(n, 0);
        auth_challenges_free(c, n);
        assert_int_equal(auth_challenges_parse("Basic", &c, &n, NULL), 0);
        assert_int_equal(n, 1);
        auth_challenges_free(c, n);
}

static void test_challenge_bad(void **state)
{
        static const char *const bad[] = {
                "Bearer realm=\"unterminated",
                "=x",
                "Bearer realm=\"a\" junk",
                "Bearer realm=\"a\\",
                "\"quoted\" realm=x",
                "Bearer realm=a b=c",
                "Bearer realm=\x01",
                "Bearer/x realm=a",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct auth_challenge *c = NULL;
                size_t n = 0;
                struct cu_error *e = NULL;
                int r = auth_challenges_parse(bad[i], &c, &n, &e);
                if (r != -EINVAL)
                        fail_msg("accepted \"%s\"", bad[i]);
                assert_non_null(strstr(cu_error_msg(e), "malformed WWW-Authenticate"));
                cu_error_free(e);
        }
}

static void test_token_url(void **state)
{
        char *scopes[] = { "repository:a/b:pull,push", "repository:c:pull", NULL };
        char *u = auth_token_url("https://auth.example.com/token", "reg istry&x", scopes);
        assert_string_equal(u, "https://auth.example.com/token?service=reg%20istry%26x"
                               "&scope=repository%3Aa%2Fb%3Apull%2Cpush&scope=repository%3Ac%3Apull");
        free(u);
        u = auth_token_url("http://h/t?a=1", NULL, NULL);
        assert_string_equal(u, "http://h/t?a=1");
        free(u);
        char *one[] = { "repository:x:pull", NULL };
        u = auth_token_url("http://h/t?a=1", "", one);
        assert_string_equal(u, "http://h/t?a=1&scope=repository%3Ax%3Apull");
        free(u);
        u = auth_scope("foo/bar", true);
        assert_string_equal(u, "repository:foo/bar:pull,push");
        free(u);
}

static void test_token_parse(void **state)
{
        char *t = NULL;
        int64_t exp = 0;
        const char *j1 = "{\"token\":\"abc\",\"access_token\":\"zzz\",\"expires_in\":300}";
        assert_int_equal(auth_token_parse(j1, strlen(j1), &t, &exp, NULL), 0);
        assert_string_equal(t, "abc");
        assert_int_equal(exp, 300);
        free(t);
        const char *j2 = "{\"access_token\":\"xyz\",\"expires_in\":5}";
        assert_int_equal(auth_token_parse(j2, strlen(j2), &t, &exp, NULL), 0);
        assert_string_equal(t, "xyz");
        assert_int_equal(exp, 60); /* at least a minute, as docker does */
        free(t);
        static const char *const bad[] = { "{}", "[]", "{\"token\":5}", "{\"token\":\"\"}", "nope",
                                           "{\"token\":\"a\\nb\"}" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct cu_error *e = NULL;
                assert_int_equal(auth_token_parse(bad[i], strlen(bad[i]), &t, &exp, &e), -EINVAL);
                assert_non_null(e);
                cu_error_free(e);
        }
}

static void test_token_cache(void **state)
{
        struct token_cache *c = token_cache_new();
        assert_null(token_cache_get(c, "k", 100));
        assert_int_equal(token_cache_put(c, "k", "t1", 200), 0);
        assert_int_equal(token_cache_put(c, "k2", "t2", 200), 0);
        assert_string_equal(token_cache_get(c, "k", 100), "t1");
        assert_null(token_cache_get(c, "k", 200)); /* expired */
        assert_int_equal(token_cache_put(c, "k", "t3", 300), 0);
        assert_string_equal(token_cache_get(c, "k", 250), "t3");
        assert_string_equal(token_cache_get(c, "k2", 150), "t2");
        token_cache_free(c);
}

static void test_basic(void **state)
{
        char *b = auth_basic_value("user", "pa:ss");
        assert_string_equal(b, "Basic dXNlcjpwYTpzcw==");
        free(b);
}

static void check_msg(long status, const char *body, const char *www, const char *want)
{
        char *m = registry_error_message(status, body, body ? strlen(body) : 0, www);
        assert_non_null(m);
        if (strcmp(m, want) != 0)
                fail_msg("status %ld body %s: got \"%s\", want \"%s\"", status, body, m, want);
        free(m);
}

static void test_error_messages(void **state)
{
        check_msg(404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                       "\"detail\":{\"Tag\":\"latest\"}}]}",
                  NULL, "manifest unknown");
        check_msg(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}",
                  "Basic realm=\"x\"", "authentication required");
        check_msg(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad password\"}]}", NULL,
                  "unauthorized: bad password");
        check_msg(400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"provided digest did not match uploaded content\"}]}",
                  NULL, "provided digest did not match uploaded content");
        check_msg(400, "{\"errors\":[{\"code\":\"SOME_NEW_CODE\",\"message\":\"it broke\"}, {\"code\":\"X\"}]}",
                  NULL, "some new code: it broke");
        check_msg(404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}", NULL, "blob unknown to registry");
        check_msg(401, "", NULL, "authentication required");
        check_msg(401, "{\"details\":\"incorrect username or password\"}", NULL,
                  "unauthorized: incorrect username or password");
        check_msg(403, "{\"errors\":[]}", "Bearer realm=\"r\",error=\"insufficient_scope\"",
                  "requested access to the resource is denied");
        check_msg(401, "", "Bearer realm=\"r\",error=\"invalid_token\",error_description=\"expired\"",
                  "unauthorized: expired");
        check_msg(404, "<html><body>Not Found, and a rather long explanation follows</body></html>", NULL,
                  "StatusCode: 404, \"<html><body>Not Found, and a rather long explanati...\"");
        check_msg(404, "", NULL, "StatusCode: 404, \"\"");
        check_msg(418, "a\"b\n", NULL, "StatusCode: 418, \"a\\\"b\\n\"");
        check_msg(500, "{\"errors\":[{\"code\":\"UNKNOWN\"}]}", NULL,
                  "received unexpected HTTP status: 500 Internal Server Error");
        check_msg(302, NULL, NULL, "received unexpected HTTP status: 302");
        check_msg(400, "{\"errors\":\"nope\"}", "garbage \x01", "StatusCode: 400, \"{\\\"errors\\\":\\\"nope\\\"}\"");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_challenge_bearer), cmocka_unit_test(test_challenge_several),
                cmocka_unit_test(test_challenge_bad),    cmocka_unit_test(test_token_url),
                cmocka_unit_test(test_token_parse),      cmocka_unit_test(test_token_cache),
                cmocka_unit_test(test_basic),            cmocka_unit_test(test_error_messages),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
