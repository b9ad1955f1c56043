/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/parse.h"

/* Inputs no decimal parser may accept. */
static const char *const junk[] = {
        "",     " 1",  "1 ",  "\t1", "1\n", "1a",  "a1",  "0x10", "1.0", "1e3",
        "--1",  "+-1", "-+1", "-",   "+",   " ",   "1,0", "1_0",  "１",
};

static void test_atoi(void **state)
{
        int v = 0;

        assert_int_equal(safe_atoi("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(safe_atoi("42", &v), 0);
        assert_int_equal(v, 42);
        assert_int_equal(safe_atoi("-42", &v), 0);
        assert_int_equal(v, -42);
        assert_int_equal(safe_atoi("+7", &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(safe_atoi("007", &v), 0); /* decimal, not octal */
        assert_int_equal(v, 7);
        assert_int_equal(safe_atoi("010", &v), 0);
        assert_int_equal(v, 10);
        assert_int_equal(safe_atoi("2147483647", &v), 0);
        assert_int_equal(v, INT_MAX);
        assert_int_equal(safe_atoi("-2147483648", &v), 0);
        assert_int_equal(v, INT_MIN);

        v = 12345;
        assert_int_equal(safe_atoi("2147483648", &v), -ERANGE);
        assert_int_equal(safe_atoi("-2147483649", &v), -ERANGE);
        assert_int_equal(safe_atoi("9223372036854775807", &v), -ERANGE);
        assert_int_equal(safe_atoi("99999999999999999999999", &v), -ERANGE);
        assert_int_equal(safe_atoi("-99999999999999999999999", &v), -ERANGE);
        for (size_t i = 0; i < ELEMENTSOF(junk); i++)
                assert_int_equal(safe_atoi(junk[i], &v), -EINVAL);
        assert_int_equal(safe_atoi(NULL, &v), -EINVAL);
        /* ret is written only on success. */
        assert_int_equal(v, 12345);
}

static void test_atou(void **state)
{
        unsigned v = 0;

        assert_int_equal(safe_atou("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(safe_atou("4294967295", &v), 0);
        assert_int_equal(v, UINT_MAX);
        assert_int_equal(safe_atou("0755", &v), 0);
        assert_int_equal(v, 755);

        v = 99;
        assert_int_equal(safe_atou("4294967296", &v), -ERANGE);
        assert_int_equal(safe_atou("18446744073709551616", &v), -ERANGE);
        /* No sign at all for unsigned: strtoul would wrap "-1" to UINT_MAX. */
        assert_int_equal(safe_atou("-1", &v), -EINVAL);
        assert_int_equal(safe_atou("-0", &v), -EINVAL);
        assert_int_equal(safe_atou("+1", &v), -EINVAL);
        assert_int_equal(safe_atou(" -1", &v), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(junk); i++)
                assert_int_equal(safe_atou(junk[i], &v), -EINVAL);
        assert_int_equal(safe_atou(NULL, &v), -EINVAL);
        assert_int_equal(v, 99);
}

static void test_atoi64(void **state)
{
        int64_t v = 0;

        assert_int_equal(safe_atoi64("9223372036854775807", &v), 0);
        assert_true(v == INT64_MAX);
        assert_int_equal(safe_atoi64("-9223372036854775808", &v), 0);
        assert_true(v == INT64_MIN);
        assert_int_equal(safe_atoi64("-1", &v), 0);
        assert_true(v == -1);
        assert_int_equal(safe_atoi64("4294967296", &v), 0);
        assert_true(v == 4294967296LL);

        v = 5;
        assert_int_equal(safe_atoi64("9223372036854775808", &v), -ERANGE);
        assert_int_equal(safe_atoi64("-9223372036854775809", &v), -ERANGE);
        assert_int_equal(safe_atoi64("18446744073709551615", &v), -ERANGE);
        for (size_t i = 0; i < ELEMENTSOF(junk); i++)
                assert_int_equal(safe_atoi64(junk[i], &v), -EINVAL);
        assert_int_equal(safe_atoi64(NULL, &v), -EINVAL);
        assert_true(v == 5);
}

static void test_atou64(void **state)
{
        uint64_t v = 0;

        assert_int_equal(safe_atou64("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(safe_atou64("9223372036854775808", &v), 0);
        assert_true(v == (uint64_t) INT64_MAX + 1);
        assert_int_equal(safe_atou64("0", &v), 0);
        assert_true(v == 0);

        v = 5;
        assert_int_equal(safe_atou64("18446744073709551616", &v), -ERANGE);
        assert_int_equal(safe_atou64("99999999999999999999999999", &v), -ERANGE);
        assert_int_equal(safe_atou64("-1", &v), -EINVAL);
        assert_int_equal(safe_atou64("-18446744073709551615", &v), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(junk); i++)
                assert_int_equal(safe_atou64(junk[i], &v), -EINVAL);
        assert_int_equal(safe_atou64(NULL, &v), -EINVAL);
        assert_true(v == 5);
}

static void test_atou_octal(void **state)
{
        unsigned v = 0;

        assert_int_equal(safe_atou_octal("0022", &v), 0);
        assert_int_equal(v, 022);
        assert_int_equal(safe_atou_octal("022", &v), 0);
        assert_int_equal(v, 022);
        assert_int_equal(safe_atou_octal("755", &v), 0);
        assert_int_equal(v, 0755);
        assert_int_equal(safe_atou_octal("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(safe_atou_octal("7777", &v), 0);
        assert_int_equal(v, 07777);
        assert_int_equal(safe_atou_octal("37777777777", &v), 0);
        assert_int_equal(v, UINT_MAX);

        v = 1;
        assert_int_equal(safe_atou_octal("8", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("0089", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("0x12", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("-022", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("+022", &v), -EINVAL);
        assert_int_equal(safe_atou_octal(" 022", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("022 ", &v), -EINVAL);
        assert_int_equal(safe_atou_octal("", &v), -EINVAL);
        assert_int_equal(safe_atou_octal(NULL, &v), -EINVAL);
        assert_int_equal(safe_atou_octal("40000000000", &v), -ERANGE);
        assert_int_equal(safe_atou_octal("7777777777777777777777777", &v), -ERANGE);
        assert_int_equal(v, 1);
}

static void test_signal_names(void **state)
{
        static const struct {
                const char *s;
                int sig;
        } ok[] = {
                { "SIGKILL", SIGKILL }, { "KILL", SIGKILL },   { "kill", SIGKILL },
                { "sigkill", SIGKILL }, { "SigTerm", SIGTERM }, { "TERM", SIGTERM },
                { "HUP", SIGHUP },      { "SIGHUP", SIGHUP },   { "INT", SIGINT },
                { "USR1", SIGUSR1 },    { "sigusr2", SIGUSR2 }, { "CHLD", SIGCHLD },
                { "WINCH", SIGWINCH },  { "STOP", SIGSTOP },    { "CONT", SIGCONT },
                { "IOT", SIGABRT },     { "POLL", SIGIO },      { "SYS", SIGSYS },
                { "STKFLT", SIGSTKFLT }, { "PWR", SIGPWR },     { "VTALRM", SIGVTALRM },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                int sig = -1;
                int r = parse_signal(ok[i].s, &sig);
                if (r != 0 || sig != ok[i].sig)
                        fail_msg("parse_signal(\"%s\") = %d, sig %d; want %d", ok[i].s, r, sig,
                                 ok[i].sig);
        }
}

static void test_signal_numbers(void **state)
{
        int sig = -1;

        assert_int_equal(parse_signal("9", &sig), 0);
        assert_int_equal(sig, SIGKILL);
        assert_int_equal(parse_signal("1", &sig), 0);
        assert_int_equal(sig, 1);
        assert_int_equal(parse_signal("15", &sig), 0);
        assert_int_equal(sig, SIGTERM);

        char buf[32];
        snprintf(buf, sizeof buf, "%d", SIGRTMAX);
        assert_int_equal(parse_signal(buf, &sig), 0);
        assert_int_equal(sig, SIGRTMAX);

        sig = -7;
        snprintf(buf, sizeof buf, "%d", SIGRTMAX + 1);
        assert_int_equal(parse_signal(buf, &sig), -EINVAL);
        assert_int_equal(parse_signal("0", &sig), -EINVAL);
        assert_int_equal(parse_signal("00", &sig), -EINVAL);
        assert_int_equal(parse_signal("-9", &sig), -EINVAL);
        assert_int_equal(parse_signal("4294967296", &sig), -EINVAL);
        assert_int_equal(parse_signal("9999999999999999999999", &sig), -EINVAL);
        assert_int_equal(parse_signal(" 9", &sig), -EINVAL);
        assert_int_equal(parse_signal("9 ", &sig), -EINVAL);
        assert_int_equal(sig, -7);
}

static void test_signal_rt(void **state)
{
        int sig = -1;

        assert_int_equal(parse_signal("RTMIN", &sig), 0);
        assert_int_equal(sig, SIGRTMIN);
        assert_int_equal(parse_signal("SIGRTMIN", &sig), 0);
        assert_int_equal(sig, SIGRTMIN);
        assert_int_equal(parse_signal("RTMIN+3", &sig), 0);
        assert_int_equal(sig, SIGRTMIN + 3);
        assert_int_equal(parse_signal("SIGRTMIN+3", &sig), 0);
        assert_int_equal(sig, SIGRTMIN + 3);
        assert_int_equal(parse_signal("sigrtmin+3", &sig), 0);
        assert_int_equal(sig, SIGRTMIN + 3);
        assert_int_equal(parse_signal("RTMAX", &sig), 0);
        assert_int_equal(sig, SIGRTMAX);
        assert_int_equal(parse_signal("RTMAX-2", &sig), 0);
        assert_int_equal(sig, SIGRTMAX - 2);
        assert_int_equal(parse_signal("SIGRTMAX-2", &sig), 0);
        assert_int_equal(sig, SIGRTMAX - 2);
        assert_int_equal(parse_signal("RTMIN+0", &sig), 0);
        assert_int_equal(sig, SIGRTMIN);

        char buf[32];
        snprintf(buf, sizeof buf, "RTMIN+%d", SIGRTMAX - SIGRTMIN);
        assert_int_equal(parse_signal(buf, &sig), 0);
        assert_int_equal(sig, SIGRTMAX);
        snprintf(buf, sizeof buf, "RTMAX-%d", SIGRTMAX - SIGRTMIN);
        assert_int_equal(parse_signal(buf, &sig), 0);
        assert_int_equal(sig, SIGRTMIN);

        sig = -7;
        snprintf(buf, sizeof buf, "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
        assert_int_equal(parse_signal(buf, &sig), -EINVAL);
        snprintf(buf, sizeof buf, "RTMAX-%d", SIGRTMAX - SIGRTMIN + 1);
        assert_int_equal(parse_signal(buf, &sig), -EINVAL);
        static const char *const bad[] = {
                "RTMIN-1",     "RTMAX+1",    "RTMIN+",     "RTMAX-",      "RTMIN+-1",
                "RTMAX--1",    "RTMIN+ 1",   "RTMIN+1x",   "RTMINX",      "RTMIN3",
                "RTMIN+99999", "RTMIN+2147483647", "RTMIN+99999999999",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (parse_signal(bad[i], &sig) != -EINVAL)
                        fail_msg("parse_signal(\"%s\") accepted", bad[i]);
        assert_int_equal(sig, -7);
}

static void test_signal_bad(void **state)
{
        static const char *const bad[] = {
                "", "SIG", "sig", "FOO", "SIGFOO", "SIGSIGKILL", "KILL ", " KILL",
                "SIG9", "SIG-KILL", "KIL", "KILLL", "SIG KILL",
        };
        int sig = -7;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (parse_signal(bad[i], &sig) != -EINVAL)
                        fail_msg("parse_signal(\"%s\") accepted", bad[i]);
        assert_int_equal(parse_signal(NULL, &sig), -EINVAL);
        assert_int_equal(sig, -7);
}

static void test_signal_name_round_trip(void **state)
{
        assert_string_equal(signal_name(SIGKILL), "KILL");
        assert_string_equal(signal_name(SIGTERM), "TERM");
        assert_string_equal(signal_name(SIGHUP), "HUP");
        assert_null(signal_name(0));
        assert_null(signal_name(-1));
        assert_null(signal_name(SIGRTMAX + 1));
        assert_null(signal_name(1000));

        /* Every classic signal has a name that parses back to it, with and without SIG. */
        for (int s = 1; s < 32; s++) {
                const char *n = signal_name(s);
                if (!n)
                        fail_msg("signal %d has no name", s);
                assert_null(strchr(n, ' '));
                assert_true(strncmp(n, "SIG", 3) != 0);
                int back = -1;
                assert_int_equal(parse_signal(n, &back), 0);
                assert_int_equal(back, s);
                char buf[32];
                snprintf(buf, sizeof buf, "SIG%s", n);
                assert_int_equal(parse_signal(buf, &back), 0);
                assert_int_equal(back, s);
                /* And the number itself. */
                snprintf(buf, sizeof buf, "%d", s);
                assert_int_equal(parse_signal(buf, &back), 0);
                assert_int_equal(back, s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_atoi),
                cmocka_unit_test(test_atou),
                cmocka_unit_test(test_atoi64),
                cmocka_unit_test(test_atou64),
                cmocka_unit_test(test_atou_octal),
                cmocka_unit_test(test_signal_names),
                cmocka_unit_test(test_signal_numbers),
                cmocka_unit_test(test_signal_rt),
                cmocka_unit_test(test_signal_bad),
                cmocka_unit_test(test_signal_name_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
