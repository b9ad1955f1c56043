/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workdir.c: in-root resolution (symlink chains, loops, escapes) and the seed's rules. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/bind-internal.h"
#include "util/fileio.h"

static char dir[64];
static int rootfd = -1;

static void mk(const char *path)
{
        char p[256];
        snprintf(p, sizeof p, "%s%s", dir, path);
        assert_int_equal(mkdir_p(p, 0755), 0);
}

static void ln(const char *target, const char *path)
{
        char p[256];
        snprintf(p, sizeof p, "%s%s", dir, path);
        assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
        (void) state;
        snprintf(dir, sizeof dir, "/tmp/test-workdir-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        mk("/etc");
        mk("/usr/share");
        mk("/tmp");
        char p[256];
        snprintf(p, sizeof p, "%s/etc/passwd", dir);
        if (write_file_atomic(p, "x\n", 2, 0644, NULL) < 0)
                return -1;
        ln("/usr/share", "/abs");            /* absolute: in the root */
        ln("../../../../tmp", "/escape");     /* .. stops at the root */
        ln("l2", "/l1");
        ln("/l3", "/l2");
        ln("usr/share", "/l3");               /* l1 → l2 → /l3 → usr/share */
        ln("loopb", "/loopa");
        ln("loopa", "/loopb");
        ln("/nonexistent/dir", "/dangling");
        ln("/data/sub", "/onmount");          /* lands on a mount */
        ln("/etc/passwd", "/tofile");
        for (int i = 0; i < 41; i++) {        /* c0 → c1 → … → c41 (a directory) */
                char t[16], l[16];
                snprintf(t, sizeof t, "c%d", i + 1);
                snprintf(l, sizeof l, "/c%d", i);
                ln(t, l);
        }
        mk("/c41");
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        (void) state;
        close(rootfd);
        rm_rf(dir);
        return 0;
}

static json_t *mounts(void)
{
        return json_pack("[{s:s}, {s:s}]", "destination", "/data/sub", "destination", "/proc");
}

static char *walk(const char *path, bool *on_mount, int *ret)
{
        json_t *m = mounts();
        char *out = NULL;
        *ret = workdir_walk(rootfd, m, path, &out, on_mount);
        json_decref(m);
        return out;
}

static void expect(const char *path, const char *resolved, bool mounted)
{
        bool on = !mounted;
        int r;
        char *out = walk(path, &on, &r);
        assert_int_equal(r, 0);
        assert_string_equal(out, resolved);
        assert_int_equal(on, mounted);
        free(out);
}

static void test_walk(void **state)
{
        (void) state;
        expect("/", "/", false);
        expect("/usr/share", "/usr/share", false);
        expect("/usr//./share/", "/usr/share", false);
        expect("/abs", "/usr/share", false);
        expect("/abs/x/y", "/usr/share/x/y", false); /* missing components kept */
        expect("/escape", "/tmp", false);
        expect("/../../etc/../tmp", "/tmp", false);
        expect("/l1", "/usr/share", false);
        expect("/dangling", "/nonexistent/dir", false);
        expect("/onmount/deeper", "/data/sub/deeper", true);
        expect("/missing/../etc", "/etc", false);
        expect("/c1", "/c41", false);                /* 40 links: the kernel's limit */
        bool on;
        int r;
        char *out = walk("/c0", &on, &r);            /* 41 links */
        assert_int_equal(r, -ELOOP);
        assert_null(out);
        out = walk("/loopa", &on, &r);
        assert_int_equal(r, -ELOOP);
}

static int resolve(const char *config, struct cu_error **err)
{
        json_t *c = json_loads(config, 0, NULL);
        json_t *spec = json_pack("{s:o}", "mounts", mounts());
        struct engine_spec_ctx x = { .id = "abc", .c = c, .rootfd = rootfd, .rootfs = dir,
                                     .bundle = "/nonexistent", .write_files = true,
                                     .uid = (uint32_t) getuid(), .gid = (uint32_t) getgid() };
        int r = workdir_resolve(spec, &x, err);
        json_decref(spec);
        json_decref(c);
        return r;
}

static void test_rules(void **state)
{
        (void) state;
        struct cu_error *err = NULL;
        assert_int_equal(resolve("{\"WorkingDir\":\"/usr/share\"}", &err), 0);
        assert_int_equal(resolve("{\"WorkingDir\":\"/l1\"}", &err), 0);
        /* on a mount, above a mount, below a mount: the runtime's business */
        assert_int_equal(resolve("{\"WorkingDir\":\"/data/sub\"}", &err), 0);
        assert_int_equal(resolve("{\"WorkingDir\":\"/data\"}", &err), 0);
        assert_int_equal(resolve("{\"WorkingDir\":\"/data/sub/new\"}", &err), 0);
        assert_int_equal(resolve("{\"WorkingDir\":\"/onmount\"}", &err), 0);
        assert_int_equal(resolve("{\"WorkingDir\":\"/missing\"}", &err), -ENOENT);
        assert_string_equal(cu_error_msg(err), "workdir \"/missing\" does not exist on container abc");
        cu_error_clear(&err);
        assert_int_equal(resolve("{\"WorkingDir\":\"/dangling\"}", &err), -ENOENT);
        cu_error_clear(&err);
        assert_int_equal(resolve("{\"WorkingDir\":\"/tofile\"}", &err), -ENOTDIR);
        assert_string_equal(cu_error_msg(err),
                            "workdir \"/tofile\" exists on container abc, but is not a directory");
        cu_error_clear(&err);
        assert_int_equal(resolve("{\"WorkingDir\":\"/loopa\"}", &err), -ELOOP);
        assert_non_null(strstr(cu_error_msg(err), "detecting workdir \"/loopa\" on container abc: stat "));
        assert_non_null(strstr(cu_error_msg(err), "/loopa: too many levels of symbolic links"));
        cu_error_clear(&err);
        /* an image's workdir is made, in the root (an escaping link stays inside) */
        const char *base = strrchr(dir, '/') + 1;
        char cfg[256], p[256];
        snprintf(cfg, sizeof cfg, "{\"WorkingDir\":\"/escape/%s/here\",\"CreateWorkingDir\":true}", base);
        assert_int_equal(resolve(cfg, &err), 0);
        struct stat st;
        snprintf(p, sizeof p, "%s/tmp/%s/here", dir, base);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(st.st_uid, getuid());
        snprintf(p, sizeof p, "/tmp/%s/here", base); /* the host's /tmp: untouched */
        assert_int_equal(access(p, F_OK), -1);
        cu_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_walk),
                cmocka_unit_test(test_rules),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
