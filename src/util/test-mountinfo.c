/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mountinfo parser: fields, optional fields, escapes, malformed lines, the walk. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/mountinfo.h"

static void test_line_fields(void **state)
{
        (void) state;
        char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root "
                      "rw,errors=continue";
        struct mountinfo mi;
        assert_int_equal(mountinfo_parse_line(line, &mi), 0);
        assert_string_equal(mi.root, "/mnt1");
        assert_string_equal(mi.mountpoint, "/mnt2");
        assert_string_equal(mi.opts, "rw,noatime");
        assert_string_equal(mi.optional, "master:1 shared:7");
        assert_string_equal(mi.fstype, "ext3");
        assert_string_equal(mi.source, "/dev/root");
        assert_string_equal(mi.super, "rw,errors=continue");
}

static void test_line_no_optional_and_escapes(void **state)
{
        (void) state;
        char line[] = "40 1 0:33 / /run/my\\040dir\\011x rw - tmpfs a\\134b rw,size=10k";
        struct mountinfo mi;
        assert_int_equal(mountinfo_parse_line(line, &mi), 0);
        assert_string_equal(mi.mountpoint, "/run/my dir\tx");
        assert_string_equal(mi.optional, "");
        assert_string_equal(mi.source, "a\\b");
        assert_string_equal(mi.super, "rw,size=10k");
}

static void test_line_malformed(void **state)
{
        (void) state;
        const char *bad[] = { "", "garbage", "1 2 3:4 / /x rw", "1 2 3:4 / /x - tmpfs src",
                              "1 2 - tmpfs a b", "1 2 3:4 / - tmpfs a b" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                char *copy = strdup(bad[i]);
                struct mountinfo mi;
                assert_non_null(copy);
                assert_int_equal(mountinfo_parse_line(copy, &mi), -EINVAL);
                free(copy);
        }
}

struct seen {
        int n;
        char last[64];
};

static int count_cb(const struct mountinfo *mi, void *userdata)
{
        struct seen *s = userdata;
        s->n++;
        strncpy(s->last, mi->mountpoint, sizeof s->last - 1);
        return strcmp(mi->mountpoint, "/stop") == 0 ? 7 : 0;
}

static void test_foreach_text(void **state)
{
        (void) state;
        char text[] = "1 0 0:1 / / rw - ext4 /dev/vda rw\n"
                      "not a line\n"
                      "2 1 0:2 / /proc rw,nosuid - proc proc rw\n";
        struct seen s = { 0 };
        assert_int_equal(mountinfo_foreach_text(text, count_cb, &s), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.last, "/proc");

        char text2[] = "1 0 0:1 / /stop rw - ext4 /dev/vda rw\n2 1 0:2 / /after rw - proc proc rw";
        s = (struct seen){ 0 };
        assert_int_equal(mountinfo_foreach_text(text2, count_cb, &s), 7);
        assert_int_equal(s.n, 1);
}

static int find_root_cb(const struct mountinfo *mi, void *userdata)
{
        (void) userdata;
        return strcmp(mi->mountpoint, "/") == 0 ? 1 : 0;
}

static void test_foreach_self(void **state)
{
        (void) state;
        assert_int_equal(mountinfo_foreach(NULL, find_root_cb, NULL), 1);
        assert_int_equal(mountinfo_foreach("/nonexistent/mountinfo", find_root_cb, NULL), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_line_fields),
                cmocka_unit_test(test_line_no_optional_and_escapes),
                cmocka_unit_test(test_line_malformed),
                cmocka_unit_test(test_foreach_text),
                cmocka_unit_test(test_foreach_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
