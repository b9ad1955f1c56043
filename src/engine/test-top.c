/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top: descriptors, /proc parsing, field texts (from fixture texts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/top.h"
#include "util/cleanup.h"

static const char stat_text[] =
        "20088 (sleep) S 20077 1 1 34816 1 4194560 100 0 0 0 250 150 0 0 20 5 1 0 "
        "1000 2322432 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
static const char status_text[] =
        "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t20088\nNgid:\t0\n"
        "Pid:\t20088\nPPid:\t20077\nTracerPid:\t0\nUid:\t1000\t1001\t1001\t1001\n"
        "Gid:\t50\t51\t51\t51\nNSpid:\t20088\t7\nCapInh:\t0000000000000000\n"
        "CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\n"
        "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\n";
static const char cmdline[] = "sleep\0" "100\0";

static void test_descriptors(void **state)
{
        (void) state;
        assert_int_equal(top_desc_from_string("user"), TOP_USER);
        assert_int_equal(top_desc_from_string("%U"), TOP_USER);
        assert_int_equal(top_desc_from_string("pcpu"), TOP_PCPU);
        assert_int_equal(top_desc_from_string("%C"), TOP_PCPU);
        assert_int_equal(top_desc_from_string("hpid"), TOP_HPID);
        assert_int_equal(top_desc_from_string("capeff"), TOP_CAPEFF);
        assert_int_equal(top_desc_from_string("foo"), _TOP_INVALID);
        assert_int_equal(top_desc_from_string(""), _TOP_INVALID);
        assert_string_equal(top_desc_header(TOP_PCPU), "%CPU");
        assert_string_equal(top_desc_header(TOP_ETIME), "ELAPSED");
        assert_string_equal(top_desc_header(TOP_ARGS), "COMMAND");
        assert_string_equal(top_desc_header(TOP_NICE), "NI");
        assert_string_equal(top_desc_header(TOP_CAPBND), "BOUNDING CAPS");
        assert_null(top_desc_header(_TOP_INVALID));
}

static void test_parse(void **state)
{
        (void) state;
        struct top_proc p;
        assert_int_equal(top_proc_parse(stat_text, status_text, cmdline, sizeof cmdline - 1, &p), 0);
        assert_int_equal(p.hpid, 20088);
        assert_int_equal(p.pid, 7);
        assert_int_equal(p.host_ppid, 20077);
        assert_int_equal(p.state, 'S');
        assert_int_equal(p.ruid, 1000);
        assert_int_equal(p.euid, 1001);
        assert_int_equal(p.rgid, 50);
        assert_int_equal(p.egid, 51);
        assert_int_equal(p.utime, 250);
        assert_int_equal(p.stime, 150);
        assert_int_equal(p.nice, 5);
        assert_int_equal(p.start, 1000);
        assert_int_equal(p.vsize, 2322432);
        assert_int_equal(p.tty_nr, 34816);
        assert_int_equal(p.seccomp, 2);
        assert_string_equal(p.comm, "sleep");
        assert_string_equal(p.args, "sleep 100 ");
        top_proc_done(&p);
        /* a comm with spaces and parentheses */
        const char odd[] = "5 (a (b) c) R 1 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 7 4096 1\n";
        assert_int_equal(top_proc_parse(odd, NULL, NULL, 0, &p), 0);
        assert_string_equal(p.comm, "a (b) c");
        assert_string_equal(p.args, "[a (b) c]");
        assert_int_equal(p.pid, 5);
        top_proc_done(&p);
        assert_int_equal(top_proc_parse("garbage", NULL, NULL, 0, &p), -EINVAL);
        assert_int_equal(top_proc_parse("1 (x) S 1", NULL, NULL, 0, &p), -EINVAL);
}

static char *field(const struct top_proc *p, enum top_desc d, const struct top_env *env)
{
        return top_field(p, d, env);
}

static void test_fields(void **state)
{
        (void) state;
        struct top_proc p;
        assert_int_equal(top_proc_parse(stat_text, status_text, cmdline, sizeof cmdline - 1, &p), 0);
        p.ppid = 1;
        /* boot at 1000 s; the process started 10 s after (1000 ticks at 100 Hz); now 14.5 s
         * later; CPU 4 s (400 ticks) */
        struct top_env env = {
                .now_ns = 1024500000000LL, .boot_ns = 1000000000000LL, .hz = 100,
                .passwd = "root:x:0:0::/root:/bin/sh\nweb:x:1001:51::/:/bin/sh\n",
                .group = "root:x:0:\nwebg:x:51:\n",
                .host_passwd = "root:x:0:0::/root:/bin/sh\nhost1000:x:1000:50::/:/bin/sh\n",
                .host_group = NULL,
        };
        struct {
                enum top_desc d;
                const char *want;
        } cases[] = {
                { TOP_USER, "web" },        { TOP_RUSER, "1000" },     { TOP_GROUP, "webg" },
                { TOP_RGROUP, "50" },       { TOP_HUSER, "1001" },     { TOP_HGROUP, "51" },
                { TOP_PID, "7" },           { TOP_HPID, "20088" },     { TOP_PPID, "1" },
                { TOP_PGID, "1" },          { TOP_NICE, "5" },         { TOP_VSZ, "2268" },
                { TOP_STATE, "S" },         { TOP_TTY, "pts/0" },      { TOP_COMM, "sleep" },
                { TOP_ARGS, "sleep 100 " }, { TOP_ETIME, "14.5s" },    { TOP_TIME, "4s" },
                { TOP_PCPU, "27.586" },     { TOP_SECCOMP, "filter" }, { TOP_LABEL, "?" },
                { TOP_STIME, "1970-01-01 00:16:50 +0000 UTC" },
                { TOP_CAPINH, "none" },     { TOP_CAPBND, "full" },
                { TOP_CAPEFF, "AUDIT_WRITE,CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,MKNOD,"
                              "NET_BIND_SERVICE,NET_RAW,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *s = field(&p, cases[i].d, &env);
                assert_non_null(s);
                if (strcmp(s, cases[i].want) != 0)
                        fail_msg("%s: got \"%s\", want \"%s\"", top_desc_header(cases[i].d), s,
                                 cases[i].want);
        }
        p.tty_nr = 0;
        _cleanup_free_ char *t0 = field(&p, TOP_TTY, &env);
        assert_string_equal(t0, "?");
        p.tty_nr = (4 << 8) | 2;
        _cleanup_free_ char *t1 = field(&p, TOP_TTY, &env);
        assert_string_equal(t1, "tty2");
        top_proc_done(&p);
}

static void test_go_duration(void **state)
{
        (void) state;
        struct {
                int64_t ns;
                const char *want;
        } cases[] = {
                { 0, "0s" },
                { 1, "1ns" },
                { 1500, "1.5\xc2\xb5s" },
                { 153433349, "153.433349ms" },
                { 1000000000, "1s" },
                { 1685886869, "1.685886869s" },
                { 90LL * 1000000000, "1m30s" },
                { 3600LL * 1000000000, "1h0m0s" },
                { 3725LL * 1000000000 + 500000000, "1h2m5.5s" },
                { -2000, "-2\xc2\xb5s" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char buf[40];
                go_duration_text(cases[i].ns, buf);
                assert_string_equal(buf, cases[i].want);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_descriptors),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_go_duration),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
