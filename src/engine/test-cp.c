/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/fs.h"
#include "util/fileio.h"

/* ------------------------------------------------------------------ the plan */

static void plan_ok(const char *src, enum cp_kind sk, const char *dst, enum cp_kind dk,
                    bool into_parent, bool contents, const char *name)
{
        struct cp_plan p;
        struct cu_error *err = NULL;
        assert_int_equal(cp_plan_make(src, sk, dst, dk, &p, &err), 0);
        assert_null(err);
        assert_int_equal(p.into_parent, into_parent);
        assert_int_equal(p.contents_only, contents);
        if (name)
                assert_string_equal(p.name, name);
        else
                assert_null(p.name);
        cp_plan_done(&p);
}

static void plan_fails(const char *src, enum cp_kind sk, const char *dst, enum cp_kind dk,
                       int e, const char *msg)
{
        struct cp_plan p;
        struct cu_error *err = NULL;
        assert_int_equal(cp_plan_make(src, sk, dst, dk, &p, &err), -e);
        assert_non_null(err);
        if (msg)
                assert_string_equal(cu_error_msg(err), msg);
        cu_error_free(err);
        cp_plan_done(&p);
}

static void test_plan_file(void **state)
{
        (void) state;
        /* missing destination: created under that name (in its parent) */
        plan_ok("/etc/passwd", CP_FILE, "/tmp/x", CP_MISSING, true, false, "x");
        plan_fails("/etc/passwd", CP_FILE, "/tmp/newdir/", CP_MISSING, ENOENT, NULL);
        /* existing file: overwritten */
        plan_ok("a/b", CP_FILE, "/tmp/x", CP_FILE, true, false, "x");
        /* existing directory: dest/BASENAME */
        plan_ok("/etc/passwd", CP_FILE, "/tmp", CP_DIR, false, false, "passwd");
        plan_ok("/etc/passwd", CP_FILE, "/tmp/", CP_DIR, false, false, "passwd");
}

static void test_plan_dir(void **state)
{
        (void) state;
        plan_ok("/data", CP_DIR, "/new", CP_MISSING, true, false, "new");
        plan_ok("/data/", CP_DIR, "/new/", CP_MISSING, true, false, "new");
        plan_ok("/data", CP_DIR, "/tmp", CP_DIR, false, false, "data");
        plan_ok("/data/", CP_DIR, "/tmp", CP_DIR, false, false, "data");
        plan_ok("/data/.", CP_DIR, "/tmp", CP_DIR, false, true, NULL);
        plan_ok("/", CP_DIR, "/tmp", CP_DIR, false, true, NULL);
        plan_ok(".", CP_DIR, "/tmp", CP_DIR, false, true, NULL);
        plan_fails("/data", CP_DIR, "/etc/passwd", CP_FILE, ENOTDIR,
                   "destination must be a directory when copying a directory");
}

static void test_plan_names(void **state)
{
        (void) state;
        plan_ok("/a/b//", CP_DIR, "/t", CP_DIR, false, false, "b");
        plan_ok("x", CP_FILE, "dir/sub/.", CP_DIR, false, false, "x");
        plan_fails("..", CP_FILE, "/t", CP_DIR, EINVAL, NULL);
        plan_fails("/a", CP_FILE, ".", CP_MISSING, EINVAL, NULL);
}

/* ------------------------------------------------------------------ the copier */

static char tmpl[64];

static int setup_dir(void **state)
{
        (void) state;
        strcpy(tmpl, "/tmp/test-cp.XXXXXX");
        assert_non_null(mkdtemp(tmpl));
        return 0;
}

static int teardown_dir(void **state)
{
        (void) state;
        rm_rf(tmpl);
        return 0;
}

static void put(const char *rel, const char *text)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *get(const char *rel)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        char *s = NULL;
        size_t n;
        if (read_full_file(p, &s, &n, NULL) < 0)
                return NULL;
        return s;
}

static int dfd(const char *rel)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void mk(const char *rel)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        assert_int_equal(mkdir_p(p, 0755), 0);
}

static void test_copy_tree(void **state)
{
        (void) state;
        mk("src/d/sub");
        mk("dst");
        put("src/d/a", "A");
        put("src/d/sub/b", "B");
        char p[256], q[256];
        snprintf(p, sizeof(p), "%s/src/d/a", tmpl);
        snprintf(q, sizeof(q), "%s/src/d/hard", tmpl);
        assert_int_equal(link(p, q), 0);
        snprintf(q, sizeof(q), "%s/src/d/abs", tmpl);
        assert_int_equal(symlink("/etc/passwd", q), 0);
        assert_int_equal(chmod(p, 0640), 0);

        int s = dfd("src"), d = dfd("dst");
        struct cp_opts o = { .chown = true, .uid = getuid(), .gid = getgid() };
        struct cu_error *err = NULL;
        assert_int_equal(cp_copy_entry(s, "d", d, "copy", &o, &err), 0);
        char *t = get("dst/copy/sub/b");
        assert_string_equal(t, "B");
        free(t);
        /* the symlink is copied as a link, not followed */
        struct stat st, st2;
        snprintf(p, sizeof(p), "%s/dst/copy/abs", tmpl);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        /* hard links stay links; modes are kept */
        snprintf(p, sizeof(p), "%s/dst/copy/a", tmpl);
        snprintf(q, sizeof(q), "%s/dst/copy/hard", tmpl);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(stat(q, &st2), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        assert_int_equal(st.st_mode & 07777, 0640);

        /* a second copy merges: existing files are replaced, others stay */
        put("dst/copy/extra", "E");
        put("src/d/a2", "A2");
        assert_int_equal(cp_copy_entry(s, "d", d, "copy", &o, &err), 0);
        t = get("dst/copy/extra");
        assert_string_equal(t, "E");
        free(t);
        t = get("dst/copy/a2");
        assert_string_equal(t, "A2");
        free(t);
        close(s);
        close(d);
}

static void test_copy_overwrite_rules(void **state)
{
        (void) state;
        mk("src/x");
        mk("dst");
        put("dst/x", "file");
        put("src/y", "Y");
        mk("dst/y");
        int s = dfd("src"), d = dfd("dst");
        struct cp_opts o = { 0 };
        struct cu_error *err = NULL;
        /* a directory does not replace a file, nor a file a directory, without overwrite */
        assert_int_equal(cp_copy_entry(s, "x", d, "x", &o, &err), -EEXIST);
        assert_non_null(strstr(cu_error_msg(err), "cannot overwrite non-directory"));
        cu_error_free(err);
        err = NULL;
        assert_int_equal(cp_copy_entry(s, "y", d, "y", &o, &err), -EEXIST);
        cu_error_free(err);
        err = NULL;
        o.overwrite = true;
        assert_int_equal(cp_copy_entry(s, "x", d, "x", &o, &err), 0);
        assert_int_equal(cp_copy_entry(s, "y", d, "y", &o, &err), 0);
        struct stat st;
        char p[256];
        snprintf(p, sizeof(p), "%s/dst/x", tmpl);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        char *t = get("dst/y");
        assert_string_equal(t, "Y");
        free(t);
        close(s);
        close(d);
}

static void test_copy_symlinked_dest_not_followed(void **state)
{
        (void) state;
        /* the destination directory holds a symlink named like the copied entry: the link is
         * replaced, never written through */
        mk("src");
        mk("dst");
        mk("outside");
        put("src/f", "new");
        char p[256], q[256];
        snprintf(p, sizeof(p), "%s/outside/target", tmpl);
        snprintf(q, sizeof(q), "%s/dst/f", tmpl);
        put("outside/target", "keep");
        assert_int_equal(symlink(p, q), 0);
        int s = dfd("src"), d = dfd("dst");
        struct cp_opts o = { 0 };
        struct cu_error *err = NULL;
        assert_int_equal(cp_copy_entry(s, "f", d, "f", &o, &err), 0);
        char *t = get("outside/target");
        assert_string_equal(t, "keep");
        free(t);
        t = get("dst/f");
        assert_string_equal(t, "new");
        free(t);
        /* and a symlinked directory in the destination is not entered */
        mk("src/sub");
        put("src/sub/g", "G");
        snprintf(q, sizeof(q), "%s/dst/sub", tmpl);
        snprintf(p, sizeof(p), "%s/outside", tmpl);
        assert_int_equal(symlink(p, q), 0);
        assert_int_equal(cp_copy_contents(s, d, &o, &err), -EEXIST);
        cu_error_free(err);
        snprintf(p, sizeof(p), "%s/outside/g", tmpl);
        assert_int_equal(access(p, F_OK), -1);
        close(s);
        close(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_file),
                cmocka_unit_test(test_plan_dir),
                cmocka_unit_test(test_plan_names),
                cmocka_unit_test_setup_teardown(test_copy_tree, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_copy_overwrite_rules, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_copy_symlinked_dest_not_followed, setup_dir, teardown_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
