/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parser: every pflag form and error text (checked against podman 4.3.1). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/opts.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* A command shaped like podman run's interesting options. */
static bool a_rm, a_detach, a_interactive, a_tty, a_all;
static const char *a_name, *a_format, *a_pull;
static char **a_env, **a_filter, **a_publish;
static int a_last;
static unsigned a_time;
static int64_t a_i64;
static uint64_t a_u64;
static double a_cpus;

static struct opt opts[] = {
        { .name = "rm", .type = OPT_BOOL, .value = &a_rm, .help = "Remove container after exit" },
        { .name = "detach", .shorthand = 'd', .type = OPT_BOOL, .value = &a_detach,
          .help = "Run container in background and print container ID" },
        { .name = "interactive", .shorthand = 'i', .type = OPT_BOOL, .value = &a_interactive,
          .help = "Keep STDIN open even if not attached" },
        { .name = "tty", .shorthand = 't', .type = OPT_BOOL, .value = &a_tty,
          .help = "Allocate a pseudo-TTY for container" },
        { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &a_all, .help = "All" },
        { .name = "name", .shorthand = 'n', .type = OPT_STRING, .value = &a_name,
          .help = "Assign a name to the container" },
        { .name = "format", .type = OPT_STRING, .value = &a_format, .help = "Format" },
        { .name = "pull", .type = OPT_STRING, .value = &a_pull, .def = "missing",
          .help = "Pull image policy" },
        { .name = "env", .shorthand = 'e', .type = OPT_STRING_ARRAY, .value = &a_env,
          .help = "Set environment variables in container" },
        { .name = "filter", .shorthand = 'f', .type = OPT_STRING_SLICE, .value = &a_filter,
          .help = "Filter output based on conditions given" },
        { .name = "publish", .shorthand = 'p', .type = OPT_STRING_ARRAY, .value = &a_publish,
          .help = "Publish a container's port" },
        { .name = "last", .shorthand = 'l', .type = OPT_INT, .value = &a_last, .def = "-1",
          .help = "Print the n last created containers (all states)" },
        { .name = "time", .shorthand = 'T', .type = OPT_UINT, .value = &a_time, .def = "10",
          .help = "Seconds to wait" },
        { .name = "i64", .type = OPT_INT64, .value = &a_i64, .help = "i64" },
        { .name = "u64", .type = OPT_UINT64, .value = &a_u64, .help = "u64" },
        { .name = "cpus", .type = OPT_FLOAT, .value = &a_cpus, .help = "Number of CPUs" },
        { .name = "net", .type = OPT_STRING, .alias_of = "name" },
        { .name = "old", .type = OPT_BOOL, .value = &a_all, .deprecated = "use --all instead" },
        {},
};

static struct opts_cmd cmd = { .use = "cuttle run [options] IMAGE [COMMAND [ARG...]]",
                               .opts = opts };

static void reset(void)
{
        a_rm = a_detach = a_interactive = a_tty = a_all = false;
        a_name = a_format = NULL;
        a_pull = "missing";
        a_env = strv_free(a_env);
        a_filter = strv_free(a_filter);
        a_publish = strv_free(a_publish);
        a_last = -1;
        a_time = 10;
        a_i64 = 0;
        a_u64 = 0;
        a_cpus = 0;
        cmd.flags = 0;
}

/* Parses a NULL-terminated list; returns the error text or NULL; *a gets the result. */
static char *parse(struct opts_args *a, ...)
{
        char *argv[64];
        int argc = 0;
        va_list ap;
        va_start(ap, a);
        for (char *s; (s = va_arg(ap, char *));)
                argv[argc++] = s;
        va_end(ap);
        argv[argc] = NULL;
        _cleanup_error_ struct cu_error *err = NULL;
        int r = opts_parse(&cmd, argc, argv, a, &err);
        if (r < 0) {
                assert_non_null(err);
                return strdup(cu_error_msg(err));
        }
        assert_null(err);
        return NULL;
}

#define PARSE_OK(a, ...) assert_null(parse(a, __VA_ARGS__, NULL))
#define PARSE_ERR(msg, ...)                                                                        \
        do {                                                                                       \
                struct opts_args _a;                                                               \
                _cleanup_free_ char *_e = parse(&_a, __VA_ARGS__, NULL);                           \
                opts_args_done(&_a);                                                               \
                assert_non_null(_e);                                                               \
                assert_string_equal(_e, msg);                                                      \
        } while (0)

static void test_forms(void **s)
{
        struct opts_args a;
        reset();
        PARSE_OK(&a, "--name=web", "-e", "A=1", "--env", "B=2", "-eC=3", "-dit", "-p8080:80",
                 "-p", "1:2", "--rm", "img", "ls");
        assert_string_equal(a_name, "web");
        assert_true(a_detach && a_interactive && a_tty && a_rm);
        assert_int_equal(strv_length(a_env), 3);
        assert_string_equal(a_env[0], "A=1");
        assert_string_equal(a_env[2], "C=3");
        assert_string_equal(a_publish[0], "8080:80");
        assert_string_equal(a_publish[1], "1:2");
        opts_args_done(&a);
        /* interspersed by default: a trailing -l is an option (that needs a value) */
        PARSE_ERR("flag needs an argument: 'l' in -l", "img", "ls", "-l");

        reset();
        cmd.flags = OPTS_STOP_AT_FIRST_ARG;
        PARSE_OK(&a, "-d", "img", "ls", "-l", "--rm");
        assert_true(a_detach);
        assert_false(a_rm);
        assert_int_equal(a.n, 4);
        assert_string_equal(a.args[0], "img");
        assert_string_equal(a.args[2], "-l");
        assert_string_equal(a.args[3], "--rm");
        assert_null(a.args[4]);
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "img", "--rm", "x", "-n", "n1", "-n=n2", "-");
        assert_true(a_rm);
        assert_string_equal(a_name, "n2");
        assert_int_equal(a.n, 3);
        assert_string_equal(a.args[1], "x");
        assert_string_equal(a.args[2], "-");
        assert_int_equal(a.dash, -1);
        assert_true(opts_changed(opts, "rm"));
        assert_true(opts_changed(opts, "name"));
        assert_false(opts_changed(opts, "detach"));
        assert_false(opts_changed(opts, "nosuch"));
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "--rm", "false", "--", "-d", "--x");
        assert_true(a_rm); /* "false" is a positional */
        assert_false(a_detach);
        assert_int_equal(a.n, 3);
        assert_int_equal(a.dash, 1);
        assert_string_equal(a.args[1], "-d");
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "--rm=false", "-d=true", "-i=0", "--tty=T");
        assert_false(a_rm);
        assert_true(a_detach);
        assert_false(a_interactive);
        assert_true(a_tty);
        assert_true(opts_changed(opts, "rm"));
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "--name", "", "--format=", "-nx");
        assert_string_equal(a_name, "x");
        assert_string_equal(a_format, "");
        opts_args_done(&a);
}

static void test_values(void **s)
{
        struct opts_args a;
        reset();
        PARSE_OK(&a, "-f", "a=1,b=2", "--filter", "\"c,d\",e", "-l", "0x10", "-T", "0o17",
                 "--i64=-9223372036854775808", "--u64", "18446744073709551615", "--cpus", "1.5",
                 "--filter=");
        assert_int_equal(strv_length(a_filter), 4);
        assert_string_equal(a_filter[0], "a=1");
        assert_string_equal(a_filter[2], "c,d");
        assert_string_equal(a_filter[3], "e");
        assert_int_equal(a_last, 16);
        assert_int_equal(a_time, 15);
        assert_true(a_i64 == INT64_MIN);
        assert_true(a_u64 == UINT64_MAX);
        assert_true(a_cpus == 1.5);
        opts_args_done(&a);

        /* the first use replaces a default array, later ones append */
        reset();
        a_env = strv_copy((char *[]) { "DEF=1", NULL });
        PARSE_OK(&a, "-e", "X=1");
        assert_int_equal(strv_length(a_env), 1);
        assert_string_equal(a_env[0], "X=1");
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "-l", "1_000", "-l", "010", "--net", "host", "--old");
        assert_int_equal(a_last, 8);
        assert_string_equal(a_name, "host");
        assert_true(opts_changed(opts, "name"));
        assert_true(a_all);
        assert_non_null(a.warnings);
        assert_string_equal(a.warnings[0], "Flag --old has been deprecated, use --all instead");
        opts_args_done(&a);

        reset();
        PARSE_OK(&a, "-d", "--help", "--badflag-after-help");
        assert_true(a.help);
        opts_args_done(&a);
        PARSE_OK(&a, "-dh");
        assert_true(a.help);
        opts_args_done(&a);
        reset();
}

static void test_errors(void **s)
{
        reset();
        PARSE_ERR("unknown flag: --foo", "--foo");
        PARSE_ERR("unknown flag: --foo", "--foo=1");
        PARSE_ERR("unknown shorthand flag: 'x' in -x", "-x");
        PARSE_ERR("unknown shorthand flag: 'x' in -xd", "-dxd");
        PARSE_ERR("flag needs an argument: --name", "--name");
        PARSE_ERR("flag needs an argument: 'n' in -n", "-n");
        PARSE_ERR("flag needs an argument: 'n' in -n", "-dn");
        PARSE_ERR("bad flag syntax: ---x", "---x");
        PARSE_ERR("bad flag syntax: --=x", "--=x");
        PARSE_ERR("invalid argument \"abc\" for \"-T, --time\" flag: strconv.ParseUint: parsing "
                  "\"abc\": invalid syntax", "-T", "abc");
        PARSE_ERR("invalid argument \"-1\" for \"-T, --time\" flag: strconv.ParseUint: parsing "
                  "\"-1\": invalid syntax", "--time=-1");
        PARSE_ERR("invalid argument \"abc\" for \"-l, --last\" flag: strconv.ParseInt: parsing "
                  "\"abc\": invalid syntax", "-labc");
        PARSE_ERR("invalid argument \"99999999999\" for \"-l, --last\" flag: strconv.ParseInt: "
                  "parsing \"99999999999\": value out of range", "--last", "99999999999");
        PARSE_ERR("invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing "
                  "\"maybe\": invalid syntax", "--rm=maybe");
        PARSE_ERR("invalid argument \"\" for \"--rm\" flag: strconv.ParseBool: parsing \"\": "
                  "invalid syntax", "--rm=");
        PARSE_ERR("invalid argument \"x\" for \"--cpus\" flag: strconv.ParseFloat: parsing "
                  "\"x\": invalid syntax", "--cpus", "x");
        PARSE_ERR("invalid argument \"a\\\"b\" for \"-f, --filter\" flag: parse error on line 1, "
                  "column 2: bare \" in non-quoted-field", "-f", "a\"b");
        PARSE_ERR("invalid argument \"_1\" for \"-l, --last\" flag: strconv.ParseInt: parsing "
                  "\"_1\": invalid syntax", "-l", "_1");
        PARSE_ERR("invalid argument \"x\" for \"-l, --last\" flag: strconv.ParseInt: parsing "
                  "\"x\": invalid syntax", "--name", "x", "-l", "x");
        reset();
}

static void test_help(void **s)
{
        /* podman stop --help */
        bool all = false, ignore = false, latest = false;
        char **cidfile = NULL, **filter = NULL;
        unsigned t = 10;
        struct opt stop[] = {
                { .name = "all", .shorthand = 'a', .type = OPT_BOOL, .value = &all,
                  .help = "Stop all running containers" },
                { .name = "cidfile", .type = OPT_STRING_ARRAY, .value = &cidfile,
                  .help = "Read the container ID from the file" },
                { .name = "filter", .shorthand = 'f', .type = OPT_STRING_SLICE, .value = &filter,
                  .help = "Filter output based on conditions given" },
                { .name = "ignore", .shorthand = 'i', .type = OPT_BOOL, .value = &ignore,
                  .help = "Ignore errors when a specified container is missing" },
                { .name = "latest", .shorthand = 'l', .type = OPT_BOOL, .value = &latest,
                  .help = "Act on the latest container podman is aware of\n"
                          "Not supported with the \"--remote\" flag" },
                { .name = "time", .shorthand = 't', .type = OPT_UINT, .value = &t, .def = "10",
                  .help = "Seconds to wait for stop before killing the container" },
                { .name = "hidden", .type = OPT_BOOL, .value = &all, .flags = OPT_HIDDEN },
                {},
        };
        struct opts_cmd c = {
                .use = "podman stop [options] CONTAINER [CONTAINER...]",
                .short_desc = "Stop one or more containers",
                .long_desc = "Stops one or more running containers.  The container name or ID "
                             "can be used.\n\nA timeout to forcibly stop the container can also "
                             "be set but defaults to 10 seconds otherwise.",
                .example = "podman stop ctrID\npodman stop --latest\n"
                           "podman stop --time 2 mywebserver 6e534f14da9d",
                .opts = stop,
        };
        _cleanup_free_ char *h = opts_help(&c);
        assert_string_equal(h,
                "Stop one or more containers\n"
                "\n"
                "Description:\n"
                "  Stops one or more running containers.  The container name or ID can be used.\n"
                "\n"
                "  A timeout to forcibly stop the container can also be set but defaults to 10 "
                "seconds otherwise.\n"
                "\n"
                "Usage:\n"
                "  podman stop [options] CONTAINER [CONTAINER...]\n"
                "\n"
                "Examples:\n"
                "  podman stop ctrID\n"
                "  podman stop --latest\n"
                "  podman stop --time 2 mywebserver 6e534f14da9d\n"
                "\n"
                "Options:\n"
                "  -a, --all                   Stop all running containers\n"
                "      --cidfile stringArray   Read the container ID from the file\n"
                "  -f, --filter strings        Filter output based on conditions given\n"
                "  -i, --ignore                Ignore errors when a specified container is missing\n"
                "  -l, --latest                Act on the latest container podman is aware of\n"
                "                              Not supported with the \"--remote\" flag\n"
                "  -t, --time uint             Seconds to wait for stop before killing the "
                "container (default 10)\n"
                "\n");

        /* podman version --help, and `quoted` names, string defaults, aliases */
        const char *fmt = NULL;
        struct opt v[] = {
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &fmt,
                  .help = "Change the output format to JSON or a Go template" },
                { .name = "keys", .type = OPT_STRING, .value = &fmt, .def = "ctrl-p,ctrl-q",
                  .help = "Override the key sequence: `[a-Z]` or `ctrl-<value>`" },
                {},
        };
        struct opts_cmd vc = { .use = "podman version [options]", .aliases = "version, v",
                               .short_desc = "Display the Podman version information",
                               .long_desc = "", .opts = v };
        _cleanup_free_ char *vh = opts_help(&vc);
        assert_string_equal(vh,
                "Display the Podman version information\n\nDescription:\n  \n\nUsage:\n"
                "  podman version [options]\n\nAliases:\n  version, v\n\nOptions:\n"
                "  -f, --format string   Change the output format to JSON or a Go template\n"
                "      --keys [a-Z]      Override the key sequence: [a-Z] or `ctrl-<value>` "
                "(default \"ctrl-p,ctrl-q\")\n\n");
}

static void test_size_duration(void **s)
{
        _cleanup_error_ struct cu_error *err = NULL;
        int64_t v;
        assert_int_equal(opts_parse_size("1024", true, &v, &err), 0);
        assert_int_equal(v, 1024);
        assert_int_equal(opts_parse_size("10m", true, &v, &err), 0);
        assert_int_equal(v, 10 << 20);
        assert_int_equal(opts_parse_size("1.5g", true, &v, &err), 0);
        assert_int_equal(v, 1536LL << 20);
        assert_int_equal(opts_parse_size("64KiB", true, &v, &err), 0);
        assert_int_equal(v, 65536);
        assert_int_equal(opts_parse_size("2 MB", false, &v, &err), 0);
        assert_int_equal(v, 2000000);
        assert_int_equal(opts_parse_size("10x", true, &v, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "invalid size: '10x'");
        assert_int_equal(opts_parse_size("-1", true, &v, &err), -EINVAL);

        assert_int_equal(opts_parse_duration("1m30s", false, &v, &err), 0);
        assert_int_equal(v, 90000000000LL);
        assert_int_equal(opts_parse_duration("500ms", false, &v, &err), 0);
        assert_int_equal(v, 500000000LL);
        assert_int_equal(opts_parse_duration("1.5h", false, &v, &err), 0);
        assert_int_equal(v, 5400000000000LL);
        assert_int_equal(opts_parse_duration("-2us", false, &v, &err), 0);
        assert_int_equal(v, -2000);
        assert_int_equal(opts_parse_duration("0", false, &v, &err), 0);
        assert_int_equal(v, 0);
        assert_int_equal(opts_parse_duration("10", true, &v, &err), 0);
        assert_int_equal(v, 10000000000LL);
        assert_int_equal(opts_parse_duration("10", false, &v, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "time: missing unit in duration \"10\"");
        assert_int_equal(opts_parse_duration("1x", false, &v, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "time: unknown unit \"x\" in duration \"1x\"");
        assert_int_equal(opts_parse_duration("abc", true, &v, &err), -EINVAL);
        assert_string_equal(cu_error_msg(err), "time: invalid duration \"abc\"");
        assert_int_equal(opts_parse_duration("", false, &v, &err), -EINVAL);
        assert_int_equal(opts_parse_duration("99999999999h", false, &v, &err), -EINVAL);

        _cleanup_free_ char *q = go_quote("a\"b\\\n\x01é");
        assert_string_equal(q, "\"a\\\"b\\\\\\n\\x01é\"");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms), cmocka_unit_test(test_values),
                cmocka_unit_test(test_errors), cmocka_unit_test(test_help),
                cmocka_unit_test(test_size_duration),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
