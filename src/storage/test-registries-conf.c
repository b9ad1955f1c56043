/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registries.conf: the TOML subset, podman's semantics, drop-ins, bad input. */
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

#include "storage/registries-conf.h"
#include "util/fileio.h"
#include "util/strv.h"

static const char full[] =
        "# podman-style configuration\n"
        "unqualified-search-registries = [\n"
        "  \"registry.fedoraproject.org\",  # a comment inside an array\n"
        "  'quay.io',\n"
        "  \"docker.io\",\n"
        "]\n"
        "short-name-mode = \"enforcing\"\n"
        "credential-helpers = []\n"
        "some-future-key = 42\n"
        "\n"
        "[[registry]]\n"
        "prefix = \"example.com/foo\"\n"
        "location = \"mirror.local:5000/bar/\"   # trailing slash is dropped\n"
        "insecure = true\n"
        "  [[registry.mirror]]\n"
        "  location = \"m1.local\"\n"
        "  insecure = false\n"
        "\n"
        "[[registry]]\n"
        "location = \"example.com\"\n"
        "blocked = false\n"
        "\n"
        "[[registry]]\n"
        "prefix = \"*.blocked.io\"\n"
        "blocked = true\n"
        "\n"
        "[[registry]]\n"
        "location = \"127.0.0.1:5000\"\n"
        "insecure = true\n"
        "mirror-by-digest-only = true\n"
        "\n"
        "[[registry]]\n"
        "\"prefix\" = \"esc.io/\\u00e9\\t\"\n"
        "location = 'lit.io/\\no-escape'\n"
        "\n"
        "[aliases]\n"
        "\"fedora\" = \"registry.fedoraproject.org/fedora\"\n";

static struct registries_conf *parse(const char *text, struct cu_error **e)
{
        struct registries_conf *c = registries_conf_new();
        assert_non_null(c);
        if (registries_conf_parse(c, text, strlen(text), "test.conf", e) < 0)
                return registries_conf_free(c);
        return c;
}

static void test_full(void **state)
{
        struct cu_error *e = NULL;
        _cleanup_registries_conf_ struct registries_conf *c = parse(full, &e);
        if (!c)
                fail_msg("%s", cu_error_msg(e));
        assert_int_equal(strv_length(c->search), 3);
        assert_string_equal(c->search[0], "registry.fedoraproject.org");
        assert_string_equal(c->search[1], "quay.io");
        assert_string_equal(c->search[2], "docker.io");
        assert_int_equal(c->short_name_mode, SHORT_NAME_MODE_ENFORCING);
        assert_int_equal(c->n_registries, 5);

        const struct registry_entry *r = registries_conf_lookup(c, "example.com/foo/app:1.0");
        assert_non_null(r);
        assert_string_equal(r->prefix, "example.com/foo");
        assert_string_equal(r->location, "mirror.local:5000/bar");
        assert_true(r->insecure);
        assert_int_equal(r->n_mirrors, 1);
        char *rw = registries_conf_rewrite(r, "example.com/foo/app:1.0");
        assert_string_equal(rw, "mirror.local:5000/bar/app:1.0");
        free(rw);

        /* the longest prefix wins; "example.com/foobar" does not match "example.com/foo" */
        r = registries_conf_lookup(c, "example.com/foobar");
        assert_non_null(r);
        assert_string_equal(r->prefix, "example.com");
        assert_false(r->insecure);
        r = registries_conf_lookup(c, "example.com/foo@sha256:abc");
        assert_string_equal(r->prefix, "example.com/foo");
        r = registries_conf_lookup(c, "example.com");
        assert_string_equal(r->prefix, "example.com");
        assert_null(registries_conf_lookup(c, "example.community/x"));
        assert_null(registries_conf_lookup(c, "other.io/x"));

        r = registries_conf_lookup(c, "a.b.blocked.io/x/y:latest");
        assert_non_null(r);
        assert_true(r->blocked);
        assert_null(r->location);
        rw = registries_conf_rewrite(r, "a.b.blocked.io/x/y:latest");
        assert_string_equal(rw, "a.b.blocked.io/x/y:latest");
        free(rw);
        assert_null(registries_conf_lookup(c, "blocked.io/x"));
        assert_null(registries_conf_lookup(c, "x.blocked.io.evil.com/x"));
        assert_null(registries_conf_lookup(c, "evil.com/x.blocked.io"));

        r = registries_conf_lookup(c, "127.0.0.1:5000/busybox");
        assert_non_null(r);
        assert_true(r->insecure);
        assert_true(r->mirror_by_digest_only);
        assert_null(registries_conf_lookup(c, "127.0.0.1:50000/busybox"));

        r = registries_conf_lookup(c, "esc.io/\xc3\xa9\t/x");
        assert_non_null(r);
        assert_string_equal(r->location, "lit.io/\\no-escape");
}

static void test_defaults(void **state)
{
        _cleanup_registries_conf_ struct registries_conf *c = parse("# nothing\n\n", NULL);
        assert_non_null(c);
        assert_non_null(c->search);
        assert_int_equal(strv_length(c->search), 0);
        assert_int_equal(c->short_name_mode, SHORT_NAME_MODE_PERMISSIVE);
        assert_int_equal(c->n_registries, 0);
        assert_null(registries_conf_lookup(c, "docker.io/library/busybox"));
        char *rw = registries_conf_rewrite(NULL, "docker.io/x");
        assert_string_equal(rw, "docker.io/x");
        free(rw);
        assert_string_equal(short_name_mode_to_string(SHORT_NAME_MODE_DISABLED), "disabled");
        assert_int_equal(short_name_mode_from_string("nope"), _SHORT_NAME_MODE_INVALID);
}

static void test_dropin_merge(void **state)
{
        _cleanup_registries_conf_ struct registries_conf *c = parse(full, NULL);
        assert_non_null(c);
        const char *dropin = "[[registry]]\n"
                             "location = \"example.com\"\n"
                             "insecure = true\n"
                             "[[registry]]\n"
                             "location = \"new.io\"\n";
        assert_int_equal(registries_conf_parse(c, dropin, strlen(dropin), "d.conf", NULL), 0);
        /* search list and mode untouched by a drop-in that does not set them */
        assert_int_equal(strv_length(c->search), 3);
        assert_int_equal(c->short_name_mode, SHORT_NAME_MODE_ENFORCING);
        assert_int_equal(c->n_registries, 6);
        assert_true(registries_conf_lookup(c, "example.com/x")->insecure);
        assert_non_null(registries_conf_lookup(c, "new.io/x"));

        const char *d2 = "unqualified-search-registries = []\nshort-name-mode='disabled'\n";
        assert_int_equal(registries_conf_parse(c, d2, strlen(d2), "d2.conf", NULL), 0);
        assert_int_equal(strv_length(c->search), 0);
        assert_int_equal(c->short_name_mode, SHORT_NAME_MODE_DISABLED);

        /* a failing drop-in leaves the configuration as it was */
        const char *bad = "unqualified-search-registries = [\"x.io\"]\n[[registry]]\ninsecure = 1\n";
        struct cu_error *e = NULL;
        assert_int_equal(registries_conf_parse(c, bad, strlen(bad), "bad.conf", &e), -EINVAL);
        assert_string_equal(cu_error_msg(e), "bad.conf:3: \"insecure\" must be a boolean");
        cu_error_free(e);
        assert_int_equal(strv_length(c->search), 0);
        assert_int_equal(c->n_registries, 6);
}

static void test_v1(void **state)
{
        const char *v1 = "[registries.search]\n"
                         "registries = ['docker.io', \"quay.io\"]\n"
                         "[registries.insecure]\n"
                         "registries = ['localhost:5000']\n"
                         "[registries.block]\n"
                         "registries = ['bad.io', 'localhost:5000']\n";
        _cleanup_registries_conf_ struct registries_conf *c = parse(v1, NULL);
        assert_non_null(c);
        assert_int_equal(strv_length(c->search), 2);
        const struct registry_entry *r = registries_conf_lookup(c, "localhost:5000/x");
        assert_true(r->insecure);
        assert_true(r->blocked);
        assert_true(registries_conf_lookup(c, "bad.io/x")->blocked);

        struct cu_error *e = NULL;
        assert_null(parse("unqualified-search-registries=[]\n[registries.search]\nregistries=['a']\n", &e));
        assert_string_equal(cu_error_msg(e), "test.conf: mixing sysregistry v1/v2 is not supported");
        cu_error_free(e);
}

static void test_bad(void **state)
{
        static const char *const cases[][2] = {
                { "a = \"unterminated\n", "test.conf:1: unterminated string" },
                { "\n\na = 1\na = 2\n", "test.conf:4: duplicate key \"a\"" },
                { "a =\n", "test.conf:1: missing value" },
                { "a = # c\n", "test.conf:1: missing value" },
                { "a 1\n", "test.conf:1: expected '=' after key \"a\"" },
                { "= 1\n", "test.conf:1: invalid character '=' in key" },
                { "[registry]\nlocation='x'\n", "test.conf:1: \"registry\" must be an array of tables ([[registry]])" },
                { "[[registry.mirror]]\n", "test.conf:1: [[registry.mirror]] must follow a [[registry]]" },
                { "unqualified-search-registries = \"x\"\n", "test.conf:1: \"unqualified-search-registries\" must be an array of strings" },
                { "unqualified-search-registries = [1]\n", "test.conf:1: only arrays of strings are supported" },
                { "unqualified-search-registries = [\"a\" \"b\"]\n", "test.conf:1: expected ',' or ']' in array" },
                { "unqualified-search-registries = [\"a\",\n", "test.conf:2: unterminated array" },
                { "short-name-mode = \"strict\"\n", "test.conf:1: invalid short-name mode \"strict\"" },
                { "short-name-mode = true\n", "test.conf:1: \"short-name-mode\" must be a string" },
                { "a = \"\\q\"\n", "test.conf:1: invalid escape sequence '\\q'" },
                { "a = \"\\ud800\"\n", "test.conf:1: invalid unicode code point U+D800" },
                { "a = \"\\u12\"\n", "test.conf:1: invalid unicode escape" },
                { "a = \"x\ty\x01\"\n", "test.conf:1: control character 0x01 in string" },
                { "a = 1.5\n", "test.conf:1: unsupported value \"1.5\" (only decimal integers)" },
                { "a = 1979-05-27\n", "test.conf:1: unsupported value \"1979-05-27\" (only decimal integers)" },
                { "a = 99999999999999999999\n", "test.conf:1: integer out of range" },
                { "a = 01\n", "test.conf:1: unsupported value (leading zero, float or date)" },
                { "a = yes\n", "test.conf:1: invalid value starting with 'y'" },
                { "a = truex\n", "test.conf:1: invalid value starting with 't'" },
                { "a = { b = 1 }\n", "test.conf:1: inline tables are not supported" },
                { "a = \"\"\"x\"\"\"\n", "test.conf:1: multi-line strings are not supported" },
                { "a.b = 1\n", "test.conf:1: dotted keys are not supported (\"a.…\")" },
                { "a = 1 b = 2\n", "test.conf:1: unexpected 'b' at end of line" },
                { "[registries\n", "test.conf:1: expected ']' to close the table header" },
                { "[[registry]\n", "test.conf:1: expected ']]' to close the table header" },
                { "[x]\n[x]\n", "test.conf:2: table [x] defined twice" },
                { "[[registry]]\ninsecure = \"yes\"\n", "test.conf:2: \"insecure\" must be a boolean" },
                { "[[registry]]\nprefix = 1\n", "test.conf:2: \"prefix\" must be a string" },
                { "[[registry]]\nlocation = \"https://x.io\"\n", "test.conf: invalid location \"https://x.io\": URI schemes are not supported" },
                { "[[registry]]\ninsecure = true\n", "test.conf: invalid condition: both location and prefix are unset" },
                { "[[registry]]\nprefix = \"x.io\"\n", "test.conf: invalid condition: location is unset and prefix is not in the format: *.example.com" },
                { "[[registry]]\nprefix = \"*.x.io/foo\"\n", "test.conf: wildcarded prefix should be in the format *.example.com, not \"*.x.io/foo\"" },
                { "[[registry]]\nlocation = \"a.io\"\ninsecure = true\n[[registry]]\nprefix = \"b.io\"\nlocation = \"a.io\"\n",
                  "test.conf: registry \"a.io\" is defined multiple times with conflicting 'insecure' setting" },
                { "[[registry]]\nlocation = \"a.io\"\npull-from-mirror = \"all\"\n", "test.conf:3: pull-from-mirror must not be set for a non-mirror registry" },
                { "[[registry]]\nlocation='a'\n[[registry.mirror]]\nlocation = \"\"\n", "test.conf:4: mirror location is unset" },
                { "a = 'x\n'\n", "test.conf:1: unterminated string" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct cu_error *e = NULL;
                struct registries_conf *c = parse(cases[i][0], &e);
                if (c)
                        fail_msg("accepted %s", cases[i][0]);
                if (strcmp(cu_error_msg(e), cases[i][1]) != 0)
                        fail_msg("for %s\n got: %s\nwant: %s", cases[i][0], cu_error_msg(e), cases[i][1]);
                cu_error_free(e);
        }
        /* NUL bytes */
        struct registries_conf *c = registries_conf_new();
        struct cu_error *e = NULL;
        assert_int_equal(registries_conf_parse(c, "a = 1\0b", 7, "nul.conf", &e), -EINVAL);
        assert_string_equal(cu_error_msg(e), "nul.conf: NUL byte in file");
        cu_error_free(e);
        registries_conf_free(c);
}

static void test_syntax_ok(void **state)
{
        /* CRLF, no final newline, underscores in integers, signs, empty arrays, comments */
        const char *t = "a = +1_000\r\nb = -5 # c\r\n\"quoted key\" = []\r\n[[registry]] # c\r\n"
                        "location = \"x.io\"\r\nmirror-by-digest-only = false";
        _cleanup_registries_conf_ struct registries_conf *c = parse(t, NULL);
        assert_non_null(c);
        assert_int_equal(c->n_registries, 1);
        assert_false(c->registries[0].mirror_by_digest_only);
}

static char tmp[64];

static void write_file(const char *rel, const char *text)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmp, rel);
        char *slash = strrchr(p, '/');
        *slash = 0;
        assert_int_equal(mkdir_p(p, 0755), 0);
        *slash = '/';
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static void test_load(void **state)
{
        snprintf(tmp, sizeof(tmp), "/tmp/cuttle-test-regconf-XXXXXX");
        assert_non_null(mkdtemp(tmp));
        char path[256];
        write_file("main.conf", "unqualified-search-registries = ['a.io']\n[[registry]]\nlocation='a.io'\n");
        write_file("home/.config/containers/registries.conf.d/10-b.conf",
                   "[[registry]]\nlocation='a.io'\ninsecure=true\n");
        write_file("home/.config/containers/registries.conf.d/20-c.conf",
                   "unqualified-search-registries = ['c.io']\n");
        write_file("home/.config/containers/registries.conf.d/30-skip.txt", "garbage = [\n");

        snprintf(path, sizeof(path), "%s/main.conf", tmp);
        struct cu_error *e = NULL;
        struct registries_conf *c = registries_conf_load(path, &e);
        assert_non_null(c);
        assert_false(registries_conf_lookup(c, "a.io/x")->insecure);
        registries_conf_free(c);

        /* the default chain: $CONTAINERS_REGISTRIES_CONF, then the drop-ins in order */
        char home[256];
        snprintf(home, sizeof(home), "%s/home", tmp);
        setenv("HOME", home, 1);
        setenv("CONTAINERS_REGISTRIES_CONF", path, 1);
        c = registries_conf_load(NULL, &e);
        if (!c)
                fail_msg("%s", cu_error_msg(e));
        assert_true(registries_conf_lookup(c, "a.io/x")->insecure);
        assert_string_equal(c->search[strv_length(c->search) - 1], "c.io");
        registries_conf_free(c);

        /* a missing file is an empty configuration; a bad one is an error naming it */
        snprintf(path, sizeof(path), "%s/missing.conf", tmp);
        c = registries_conf_load(path, NULL);
        assert_non_null(c);
        assert_int_equal(c->n_registries, 0);
        registries_conf_free(c);
        write_file("bad.conf", "\n[[registry]]\nlocation = 'x'\nblocked = 'no'\n");
        snprintf(path, sizeof(path), "%s/bad.conf", tmp);
        assert_null(registries_conf_load(path, &e));
        assert_non_null(strstr(cu_error_msg(e), "bad.conf:4: \"blocked\" must be a boolean"));
        cu_error_free(e);
        unsetenv("CONTAINERS_REGISTRIES_CONF");
        assert_int_equal(rm_rf(tmp), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full),       cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_dropin_merge), cmocka_unit_test(test_v1),
                cmocka_unit_test(test_bad),        cmocka_unit_test(test_syntax_ok),
                cmocka_unit_test(test_load),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
