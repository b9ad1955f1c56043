/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/fs.h"
#include "util/fileio.h"

static char tmpl[64];

static int setup_dir(void **state)
{
        (void) state;
        strcpy(tmpl, "/tmp/test-diff.XXXXXX");
        assert_non_null(mkdtemp(tmpl));
        return 0;
}

static int teardown_dir(void **state)
{
        (void) state;
        rm_rf(tmpl);
        return 0;
}

static const char *P(const char *rel)
{
        static char p[4][256];
        static int i;
        i = (i + 1) % 4;
        snprintf(p[i], sizeof(p[i]), "%s/%s", tmpl, rel);
        return p[i];
}

static void put(const char *rel, const char *text)
{
        FILE *f = fopen(P(rel), "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void same_times(const char *a, const char *b)
{
        struct stat st;
        assert_int_equal(stat(P(a), &st), 0);
        struct timespec ts[2] = { st.st_atim, st.st_mtim };
        assert_int_equal(utimensat(AT_FDCWD, P(b), ts, 0), 0);
}

static char *render(struct diff_change *v, size_t n)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%c %s\n", v[i].kind, v[i].path);
        fclose(f);
        return s;
}

static void test_diff_overlay(void **state)
{
        (void) state;
        /* the lower layer */
        assert_int_equal(mkdir_p(P("lower/etc"), 0755), 0);
        assert_int_equal(mkdir_p(P("lower/tmp"), 01777), 0);
        assert_int_equal(mkdir_p(P("lower/usr/local/bin"), 0755), 0);
        put("lower/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        put("lower/etc/group", "root:x:0:\n");
        put("lower/usr/local/bin/tool", "old");
        /* the upper dir: etc copied up unchanged, passwd changed, group deleted, tmp/new and
         * a new directory added, tool deleted */
        assert_int_equal(mkdir_p(P("upper/etc"), 0755), 0);
        assert_int_equal(mkdir_p(P("upper/tmp"), 01777), 0);
        assert_int_equal(mkdir_p(P("upper/newdir/sub"), 0755), 0);
        assert_int_equal(mkdir_p(P("upper/usr/local/bin"), 0755), 0);
        put("upper/etc/passwd", "root:x:0:0::/root:/bin/ash\n");
        put("upper/tmp/new", "n");
        put("upper/newdir/sub/f", "f");
        if (geteuid() != 0) {
                /* a whiteout is a 0/0 character device: only root can make one */
                print_message("not root: whiteouts are not tested\n");
                put("upper/etc/group.placeholder", "");
        } else {
                assert_int_equal(mknod(P("upper/etc/group"), S_IFCHR | 0600, makedev(0, 0)), 0);
                assert_int_equal(mknod(P("upper/usr/local/bin/tool"), S_IFCHR | 0600, makedev(0, 0)), 0);
        }
        assert_int_equal(chmod(P("upper/tmp"), 01777), 0);
        assert_int_equal(chmod(P("lower/tmp"), 01777), 0);
        same_times("lower/etc", "upper/etc");
        same_times("lower/usr", "upper/usr");
        same_times("lower/usr/local", "upper/usr/local");
        same_times("lower/usr/local/bin", "upper/usr/local/bin");
        /* tmp's mtime differs: a change of its own */
        struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
        assert_int_equal(utimensat(AT_FDCWD, P("lower/tmp"), old, 0), 0);

        int up = open(P("upper"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int lo = open(P("lower"), O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(up >= 0 && lo >= 0);
        struct diff_change *v = NULL;
        size_t n = 0;
        struct cu_error *err = NULL;
        assert_int_equal(diff_compute(up, &lo, 1, &v, &n, &err), 0);
        char *text = render(v, n);
        if (geteuid() == 0)
                assert_string_equal(text, "D /etc/group\n"
                                          "C /etc\n"
                                          "C /etc/passwd\n"
                                          "A /newdir\n"
                                          "A /newdir/sub\n"
                                          "A /newdir/sub/f\n"
                                          "C /tmp\n"
                                          "A /tmp/new\n"
                                          "D /usr/local/bin/tool\n"
                                          "C /usr/local/bin\n");
        else
                assert_non_null(strstr(text, "C /etc/passwd\nA /newdir\n"));
        free(text);
        diff_changes_free(v, n);
        close(up);
        close(lo);
}

static void test_diff_no_lower(void **state)
{
        (void) state;
        /* an image's first layer: everything is added */
        assert_int_equal(mkdir_p(P("layer/bin"), 0755), 0);
        put("layer/bin/sh", "x");
        int up = open(P("layer"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct diff_change *v = NULL;
        size_t n = 0;
        assert_int_equal(diff_compute(up, NULL, 0, &v, &n, NULL), 0);
        char *text = render(v, n);
        assert_string_equal(text, "A /bin\nA /bin/sh\n");
        free(text);
        diff_changes_free(v, n);
        close(up);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_diff_overlay, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_diff_no_lower, setup_dir, teardown_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
