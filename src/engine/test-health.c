/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Healthcheck options: podman's validations and messages, --health-cmd forms, defaults, the
 * image's HEALTHCHECK, what is exec'd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/container.h"
#include "util/json.h"
#include "util/strv.h"

#define NS 1000000000LL

static void test_durations(void **s)
{
        struct {
                const char *in;
                int64_t ns;
        } ok[] = {
                { "0", 0 },           { "30s", 30 * NS },        { "1m30s", 90 * NS },
                { "1.5s", NS * 3 / 2 }, { "300ms", 300000000 },  { "-1s", -NS },
                { "+2h", 7200 * NS }, { "1h2m3.5s", 3723 * NS + NS / 2 }, { "10us", 10000 },
                { "10\xc2\xb5s", 10000 }, { "7ns", 7 },          { ".5s", NS / 2 },
                { "1.s", NS },        { "0s", 0 },
        };
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
                int64_t v = -42;
                assert_int_equal(engine_parse_duration(ok[i].in, &v, NULL), 0);
                assert_true(v == ok[i].ns);
        }
        struct {
                const char *in, *msg;
        } bad[] = {
                { "", "time: invalid duration \"\"" },
                { "x", "time: invalid duration \"x\"" },
                { "3x", "time: unknown unit \"x\" in duration \"3x\"" },
                { "3", "time: missing unit in duration \"3\"" },
                { "1s2", "time: missing unit in duration \"1s2\"" },
                { ".s", "time: invalid duration \".s\"" },
                { "-", "time: invalid duration \"-\"" },
                { "9999999999999999999h", "time: invalid duration \"9999999999999999999h\"" },
                { "3000000h", "time: invalid duration \"3000000h\"" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct cu_error *err = NULL;
                int64_t v = 0;
                assert_int_equal(engine_parse_duration(bad[i].in, &v, &err), -EINVAL);
                assert_string_equal(cu_error_msg(err), bad[i].msg);
                cu_error_free(err);
        }
        char buf[40];
        assert_string_equal(engine_format_duration(0, buf), "0s");
        assert_string_equal(engine_format_duration(NS, buf), "1s");
        assert_string_equal(engine_format_duration(90 * NS, buf), "1m30s");
        assert_string_equal(engine_format_duration(3600 * NS, buf), "1h0m0s");
        assert_string_equal(engine_format_duration(NS * 3 / 2, buf), "1.5s");
        assert_string_equal(engine_format_duration(500000000, buf), "500ms");
        assert_string_equal(engine_format_duration(1500, buf), "1.5\xc2\xb5s");
        assert_string_equal(engine_format_duration(12, buf), "12ns");
        assert_string_equal(engine_format_duration(-2 * NS, buf), "-2s");
        assert_string_equal(engine_format_duration(3723 * NS + NS / 2, buf), "1h2m3.5s");
}

static void expect_error(const struct engine_health_opts *o, const char *msg)
{
        struct cu_error *err = NULL;
        json_t *hc = NULL;
        assert_int_equal(engine_health_config(o, NULL, &hc, &err), -EINVAL);
        assert_null(hc);
        assert_string_equal(cu_error_msg(err), msg);
        cu_error_free(err);
        err = NULL;
        assert_int_equal(engine_health_validate(o, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), msg);
        cu_error_free(err);
}

static void test_validation(void **s)
{
        expect_error(&(struct engine_health_opts){ .on_failure = "foo" },
                     "invalid on-failure action \"foo\" for health check: supported actions are "
                     "none,kill,restart,stop");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .interval = "3x" },
                     "invalid healthcheck-interval: time: unknown unit \"x\" in duration \"3x\"");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .retries = 0, .has_retries = true },
                     "healthcheck-retries must be greater than 0");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .timeout = "0" },
                     "healthcheck-timeout must be at least 1 second");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .timeout = "x" },
                     "invalid healthcheck-timeout: time: invalid duration \"x\"");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .start_period = "-1s" },
                     "healthcheck-start-period must be 0 seconds or greater");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .start_period = "3x" },
                     "invalid healthcheck-start-period: time: unknown unit \"x\" in duration \"3x\"");
        expect_error(&(struct engine_health_opts){ .cmd = "true", .no_healthcheck = true },
                     "cannot specify both --no-healthcheck and --health-cmd");
        expect_error(&(struct engine_health_opts){ .cmd = "[]" },
                     "must define a healthcheck command for all healthchecks");
        /* accepted as podman does */
        const struct engine_health_opts ok[] = {
                { .cmd = "true", .timeout = "500ms" },
                { .cmd = "true", .interval = "disable" },
                { .cmd = "true", .interval = "-1s" },
                { .on_failure = "restart" },
                { .no_healthcheck = true, .cmd = "" },
        };
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
                assert_int_equal(engine_health_validate(&ok[i], NULL), 0);
}

/* The Healthcheck object for o over the image config ic (JSON text or NULL), as JSON text. */
static char *config(const struct engine_health_opts *o, const char *ic)
{
        _cleanup_json_ json_t *icj = ic ? json_loads(ic, 0, NULL) : NULL;
        json_t *hc = NULL;
        struct cu_error *err = NULL;
        if (engine_health_config(o, icj, &hc, &err) < 0)
                fail_msg("%s", cu_error_msg(err));
        char *t = hc ? json_dumps(hc, JSON_COMPACT) : strdup("none");
        json_decref(hc);
        return t;
}

static void expect_config(const struct engine_health_opts *o, const char *ic, const char *want)
{
        char *t = config(o, ic);
        assert_string_equal(t, want);
        free(t);
}

static void test_cmd_forms(void **s)
{
        expect_config(&(struct engine_health_opts){ .cmd = "echo hi; true" }, NULL,
                      "{\"Test\":[\"CMD-SHELL\",\"echo hi; true\"],\"Interval\":30000000000,"
                      "\"Timeout\":30000000000,\"Retries\":3}");
        expect_config(&(struct engine_health_opts){ .cmd = "[\"echo\",\"hi\"]" }, NULL,
                      "{\"Test\":[\"CMD\",\"echo\",\"hi\"],\"Interval\":30000000000,"
                      "\"Timeout\":30000000000,\"Retries\":3}");
        expect_config(&(struct engine_health_opts){ .cmd = "[\"echo hi\"]", .interval = "disable" },
                      NULL,
                      "{\"Test\":[\"CMD-SHELL\",\"echo hi\"],\"Timeout\":30000000000,\"Retries\":3}");
        expect_config(&(struct engine_health_opts){ .cmd = "CMD echo  hi", .start_period = "2m30s",
                                                    .retries = 5, .has_retries = true,
                                                    .timeout = "1s", .interval = "1s" },
                      NULL,
                      "{\"Test\":[\"CMD\",\"echo\",\"hi\"],\"StartPeriod\":150000000000,"
                      "\"Interval\":1000000000,\"Timeout\":1000000000,\"Retries\":5}");
        expect_config(&(struct engine_health_opts){ .cmd = "CMD-SHELL curl -f x" }, NULL,
                      "{\"Test\":[\"CMD-SHELL\",\"curl -f x\"],\"Interval\":30000000000,"
                      "\"Timeout\":30000000000,\"Retries\":3}");
        expect_config(&(struct engine_health_opts){ .cmd = "none" }, NULL, "{\"Test\":[\"NONE\"]}");
        expect_config(&(struct engine_health_opts){ .no_healthcheck = true }, NULL,
                      "{\"Test\":[\"NONE\"]}");
        expect_config(&(struct engine_health_opts){ 0 }, NULL, "none");
        expect_config(&(struct engine_health_opts){ .cmd = "" }, NULL, "none");
}

static const char image[] =
        "{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"check\"],\"Interval\":5000000000,"
        "\"Timeout\":0,\"StartPeriod\":1000000000,\"Retries\":0}}";

static void test_image(void **s)
{
        /* zeros take the defaults (Retries too, as docker does) */
        expect_config(&(struct engine_health_opts){ 0 }, image,
                      "{\"Test\":[\"CMD-SHELL\",\"check\"],\"StartPeriod\":1000000000,"
                      "\"Interval\":5000000000,\"Timeout\":30000000000,\"Retries\":3}");
        /* options given override the image's values */
        expect_config(&(struct engine_health_opts){ .interval = "1s", .retries = 2,
                                                    .has_retries = true },
                      image,
                      "{\"Test\":[\"CMD-SHELL\",\"check\"],\"StartPeriod\":1000000000,"
                      "\"Interval\":1000000000,\"Timeout\":30000000000,\"Retries\":2}");
        /* --health-cmd replaces it; --no-healthcheck disables it */
        expect_config(&(struct engine_health_opts){ .cmd = "mine" }, image,
                      "{\"Test\":[\"CMD-SHELL\",\"mine\"],\"Interval\":30000000000,"
                      "\"Timeout\":30000000000,\"Retries\":3}");
        expect_config(&(struct engine_health_opts){ .no_healthcheck = true }, image,
                      "{\"Test\":[\"NONE\"]}");
        /* an image with HEALTHCHECK NONE or none at all */
        expect_config(&(struct engine_health_opts){ 0 }, "{\"Healthcheck\":{\"Test\":[\"NONE\"]}}",
                      "none");
        expect_config(&(struct engine_health_opts){ 0 }, "{\"Healthcheck\":{\"Test\":[]}}", "none");
        expect_config(&(struct engine_health_opts){ 0 }, "{\"Cmd\":[\"sh\"]}", "none");
}

static char *argv_of(const char *hc)
{
        _cleanup_json_ json_t *j = json_loads(hc, 0, NULL);
        _cleanup_strv_ char **v = engine_health_argv(j);
        return v ? strv_join(v, "|") : strdup("(none)");
}

static void test_argv(void **s)
{
        const struct {
                const char *hc, *want;
        } t[] = {
                { "{\"Test\":[\"CMD-SHELL\",\"echo hi; true\"]}", "/bin/sh|-c|echo hi; true" },
                { "{\"Test\":[\"CMD-SHELL\",\"a\",\"b\"]}", "/bin/sh|-c|a b" },
                { "{\"Test\":[\"CMD\",\"echo\",\"hi\"]}", "echo|hi" },
                { "{\"Test\":[\"/bin/check\",\"x\"]}", "/bin/check|x" },
                { "{\"Test\":[\"NONE\"]}", "(none)" },
                { "{\"Test\":[]}", "(none)" },
                { "{}", "(none)" },
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                char *a = argv_of(t[i].hc);
                assert_string_equal(a, t[i].want);
                free(a);
        }
        assert_null(engine_health_argv(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_durations),
                cmocka_unit_test(test_validation),
                cmocka_unit_test(test_cmd_forms),
                cmocka_unit_test(test_image),
                cmocka_unit_test(test_argv),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
