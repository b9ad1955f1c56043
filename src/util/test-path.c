/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-root path resolution.  Every test runs twice: once with openat2(RESOLVE_IN_ROOT)
 * and once with the userspace fallback (path_force_fallback(true)); both must give the
 * same answers, and nothing may ever resolve or be created outside the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/path.h"

/* Valgrind (3.19) does not know openat2 and returns ENOSYS: there, and only there, the openat2
 * half cannot run (open_in_root() then takes the fallback, which is covered anyway). */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

enum mode { MODE_OPENAT2, MODE_FALLBACK };
static enum mode mode_openat2 = MODE_OPENAT2, mode_fallback = MODE_FALLBACK;

static char base[PATH_MAX / 2]; /* <tmp>/cuttle-test-path-XXXXXX (canonical) */
/* <base>/n1/…/n6/root: deeper than any ".." escape below, so that a broken implementation
 * creates its escapes inside <base> (where the teardown finds and removes them). */
static char rootdir[PATH_MAX];
static char outdir[PATH_MAX];  /* <base>/outside: host directory that must stay untouched */
static int rootfd = -EBADF;

_printf_(2, 3) static char *fmt_path(const char *prefix, const char *fmt, ...)
{
        static char bufs[8][PATH_MAX];
        static unsigned n;
        char *b = bufs[n++ % ELEMENTSOF(bufs)];
        int k = snprintf(b, PATH_MAX, "%s/", prefix);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b + k, PATH_MAX - (size_t) k, fmt, ap);
        va_end(ap);
        return b;
}
#define R(...) fmt_path(rootdir, __VA_ARGS__)
#define O(...) fmt_path(outdir, __VA_ARGS__)

/* Host paths that a broken implementation would write through absolute symlinks. */
static const char *const canaries[] = {
        "/cuttle-test-created",
        "/etc/cuttle-test-newfile",
        "/etc/cuttle-test-sub",
        "/etc/cuttle-test-hosts",
};

static bool exists(const char *p)
{
        struct stat st;
        return lstat(p, &st) == 0;
}

static void mk(const char *p)
{
        if (mkdir(p, 0755) < 0)
                fail_msg("mkdir %s: %m", p);
}

static void ln(const char *target, const char *p)
{
        if (symlink(target, p) < 0)
                fail_msg("symlink %s: %m", p);
}

static void put(const char *p, const char *content)
{
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                fail_msg("create %s: %m", p);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t) strlen(content));
}

/*
 * root/
 *   etc/passwd            "inside"
 *   etc_link -> /etc      absolute: must mean root/etc
 *   a/b/c/  a/b/file      "abfile"
 *   a/b/lnk_file -> /a/b/file
 *   a/b/up -> ../../../../../etc
 *   a/dirlnk -> b
 *   up -> ../../../../..
 *   dotdot_abs -> /../../a/b
 *   chain1 -> chain2 -> /chain3 -> a/b
 *   loop1 <-> loop2, self -> self
 *   dangling -> /cuttle-test-created, dangling_rel -> ../../created_rel
 *   esc -> <outdir>       absolute host path: must mean root/<outdir> (absent)
 *   esc_rel -> ../outside relative escape: clamped, root/outside (absent)
 *   l0 -> l1 -> … -> l40 -> a   (41 links from l0, 40 from l1)
 * outside/secret          "host"
 */
static void build_tree(void)
{
        mk(rootdir);
        mk(outdir);
        put(O("secret"), "host");
        mk(O("sub"));

        mk(R("etc"));
        put(R("etc/passwd"), "inside");
        ln("/etc", R("etc_link"));
        mk(R("a"));
        mk(R("a/b"));
        mk(R("a/b/c"));
        put(R("a/b/file"), "abfile");
        ln("/a/b/file", R("a/b/lnk_file"));
        ln("../../../../../etc", R("a/b/up"));
        ln("b", R("a/dirlnk"));
        ln("../../../../..", R("up"));
        ln("/../../a/b", R("dotdot_abs"));
        ln("chain2", R("chain1"));
        ln("/chain3", R("chain2"));
        ln("a/b", R("chain3"));
        ln("loop2", R("loop1"));
        ln("loop1", R("loop2"));
        ln("self", R("self"));
        ln("/cuttle-test-created", R("dangling"));
        ln("../../created_rel", R("dangling_rel"));
        ln(outdir, R("esc"));
        ln("../outside", R("esc_rel"));
        for (int i = 0; i < 41; i++) {
                char t[16], n[16];
                snprintf(n, sizeof n, "l%d", i);
                snprintf(t, sizeof t, "l%d", i + 1);
                ln(i == 40 ? "a" : t, R("%s", n));
        }
}

static int nftw_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        return remove(p) < 0 ? -1 : 0;
}

static int n_outside;

static int nftw_count(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        if (strcmp(p, rootdir) == 0)
                return FTW_SKIP_SUBTREE;
        n_outside++;
        return FTW_CONTINUE;
}

/* Nothing outside the root was created: <base> holds only what build_tree() made there
 * (base, n1…n6, outside, outside/secret, outside/sub), and no canary exists. */
static bool outside_untouched(void)
{
        bool ok = true;
        n_outside = 0;
        if (nftw(base, nftw_count, 16, FTW_PHYS | FTW_ACTIONRETVAL) != 0 || n_outside != 10) {
                print_error("%d entries outside the root in %s, want 10\n", n_outside, base);
                ok = false;
        }
        for (size_t i = 0; i < ELEMENTSOF(canaries); i++) {
                const char *c = canaries[i];
                if (c && exists(c)) {
                        print_error("%s was created on the host\n", c);
                        (void) nftw(c, nftw_rm, 16, FTW_DEPTH | FTW_PHYS);
                        ok = false;
                }
        }
        return ok;
}

static int setup(void **state)
{
        char tmpl[PATH_MAX];
        snprintf(tmpl, sizeof tmpl, "%s/cuttle-test-path-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(tmpl) || !realpath(tmpl, base))
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(canaries); i++)
                if (exists(canaries[i])) {
                        print_error("%s exists before the test\n", canaries[i]);
                        return -1;
                }
        char *q = rootdir + snprintf(rootdir, sizeof rootdir, "%s", base);
        for (int i = 1; i <= 6; i++) {
                q += sprintf(q, "/n%d", i);
                if (mkdir(rootdir, 0755) < 0)
                        return -1;
        }
        strcpy(q, "/root");
        snprintf(outdir, sizeof outdir, "%s/outside", base);
        build_tree();
        rootfd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -1;
        path_force_fallback(*(enum mode *) *state == MODE_FALLBACK);
        return 0;
}

static int teardown(void **state)
{
        rootfd = safe_close(rootfd);
        path_force_fallback(false);
        bool ok = outside_untouched();
        if (nftw(base, nftw_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
                return -1;
        return ok ? 0 : -1;
}

/* Path of fd relative to the root ("/a/b"), or fails the test when it is outside. */
static void fd_in_root(int fd, char out[static PATH_MAX])
{
        char buf[32], full[PATH_MAX];
        ssize_t k = readlink(fd_path(fd, buf), full, sizeof full - 1);
        assert_true(k > 0);
        full[k] = '\0';
        size_t rl = strlen(rootdir);
        if (strncmp(full, rootdir, rl) != 0 || (full[rl] != '/' && full[rl] != '\0'))
                fail_msg("fd %d resolved outside the root: %s", fd, full);
        snprintf(out, PATH_MAX, "%s", full[rl] ? full + rl : "/");
}

struct open_case {
        const char *path;
        int flags;
        const char *want; /* resolved path inside the root, or NULL */
        int err;          /* expected errno when want is NULL */
};

static const struct open_case open_cases[] = {
        { "/", O_PATH, "/", 0 },
        { ".", O_PATH, "/", 0 },
        { "..", O_PATH, "/", 0 },
        { "../../..", O_PATH | O_DIRECTORY, "/", 0 },
        { "/../../etc/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "etc/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "etc_link/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "/etc_link/../etc_link/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "etc_link", O_PATH | O_DIRECTORY, "/etc", 0 },
        { "etc_link", O_RDONLY | O_DIRECTORY, "/etc", 0 },
        { "etc_link", O_PATH | O_NOFOLLOW, "/etc_link", 0 },
        { "etc_link", O_RDONLY | O_NOFOLLOW, NULL, ELOOP },
        { "etc_link/passwd", O_RDONLY | O_NOFOLLOW, "/etc/passwd", 0 },
        { "up", O_PATH, "/", 0 },
        { "up/etc/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "up/up/up/a", O_PATH, "/a", 0 },
        { "a/b/up", O_PATH, "/etc", 0 },
        { "a/b/up/passwd", O_RDONLY, "/etc/passwd", 0 },
        { "dotdot_abs/file", O_RDONLY, "/a/b/file", 0 },
        { "chain1", O_PATH, "/a/b", 0 },
        { "chain1/file", O_RDONLY, "/a/b/file", 0 },
        { "chain1/c/../file", O_RDONLY, "/a/b/file", 0 },
        { "loop1", O_PATH, NULL, ELOOP },
        { "loop1/x", O_PATH, NULL, ELOOP },
        { "self", O_RDONLY, NULL, ELOOP },
        { "self", O_PATH | O_NOFOLLOW, "/self", 0 },
        { "l1", O_PATH, "/a", 0 },
        { "l1/b/file", O_RDONLY, "/a/b/file", 0 },
        { "l0", O_PATH, NULL, ELOOP },
        { "esc", O_PATH, NULL, ENOENT },
        { "esc/secret", O_RDONLY, NULL, ENOENT },
        { "esc_rel/secret", O_RDONLY, NULL, ENOENT },
        { "esc", O_PATH | O_NOFOLLOW, "/esc", 0 },
        { "dangling", O_RDONLY, NULL, ENOENT },
        { "dangling_rel", O_PATH, NULL, ENOENT },
        { "a/b/file/x", O_PATH, NULL, ENOTDIR },
        { "a/b/file", O_RDONLY | O_DIRECTORY, NULL, ENOTDIR },
        { "a/missing/x", O_PATH, NULL, ENOENT },
        { "a/b/lnk_file", O_RDONLY, "/a/b/file", 0 },
        { "a/b/lnk_file", O_PATH | O_NOFOLLOW, "/a/b/lnk_file", 0 },
        { "a/dirlnk", O_PATH, "/a/b", 0 },
        { "a/dirlnk/file", O_RDONLY, "/a/b/file", 0 },
        { "a/dirlnk/../..", O_PATH, "/", 0 },
        { "a/dirlnk/..", O_PATH, "/a", 0 },
        { "a/b/c/../../b/./file", O_RDONLY, "/a/b/file", 0 },
        { "a//b///file", O_RDONLY, "/a/b/file", 0 },
        { "///a/b", O_PATH, "/a/b", 0 },
        { "a/b/", O_PATH, "/a/b", 0 },
        { "a/b/c/../../../../../../a", O_PATH, "/a", 0 },
        { "a/b/file", O_RDONLY, "/a/b/file", 0 },
        { "etc", O_RDONLY | O_CREAT, NULL, EISDIR },
        { "a/b/file", O_WRONLY | O_CREAT | O_EXCL, NULL, EEXIST },
        { "", O_PATH, NULL, ENOENT },
        { "a/b/file/", O_RDONLY, NULL, ENOTDIR },
        { "etc_link/", O_RDONLY | O_NOFOLLOW, "/etc", 0 },
        { "a/dirlnk/", O_PATH | O_NOFOLLOW, "/a/b", 0 },
        { "dangling", O_WRONLY | O_CREAT | O_EXCL, NULL, EEXIST },
};

static void check_open_case(const struct open_case *c)
{
        _cleanup_close_ int fd = open_in_root(rootfd, c->path, c->flags, 0644);
        if (!c->want) {
                if (fd != -c->err)
                        fail_msg("open_in_root(\"%s\", %#x) = %d, want -%s", c->path, c->flags,
                                 fd, strerrorname_np(c->err));
                return;
        }
        if (fd < 0)
                fail_msg("open_in_root(\"%s\", %#x) = %s, want %s", c->path, c->flags,
                         strerrorname_np(-fd), c->want);
        char got[PATH_MAX];
        fd_in_root(fd, got);
        if (strcmp(got, c->want) != 0)
                fail_msg("open_in_root(\"%s\", %#x) → %s, want %s", c->path, c->flags, got,
                         c->want);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

/* The openat2 half of this file is only meaningful when the kernel has it.  False only
 * under valgrind (meson counts a cmocka skip as a failure); fails the test otherwise. */
static bool have_openat2(void)
{
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
        long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
        if (fd >= 0) {
                close((int) fd);
                return true;
        }
        if (errno == ENOSYS && RUNNING_ON_VALGRIND) {
                print_message("# openat2 unknown to valgrind: the fallback runs in both halves\n");
                return false;
        }
        fail_msg("openat2 unavailable (%m): only the fallback is covered");
        return false;
}

static void test_openat2_available(void **state)
{
        (void) have_openat2();
}

static void test_open_table(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(open_cases); i++)
                check_open_case(&open_cases[i]);
}

static void test_open_abs_symlink_not_host(void **state)
{
        /* "/etc" inside the root is root/etc, never the host's /etc. */
        _cleanup_close_ int fd = open_in_root(rootfd, "etc_link/passwd", O_RDONLY, 0);
        assert_true(fd >= 0);
        char buf[16] = { 0 };
        assert_int_equal(read(fd, buf, sizeof buf - 1), 6);
        assert_string_equal(buf, "inside");

        /* Absolute paths given directly too. */
        _cleanup_close_ int fd2 = open_in_root(rootfd, "/etc/passwd", O_RDONLY, 0);
        assert_true(fd2 >= 0);
        memset(buf, 0, sizeof buf);
        assert_int_equal(read(fd2, buf, sizeof buf - 1), 6);
        assert_string_equal(buf, "inside");

        /* The host path of the outside dir, given as an in-root path, is absent. */
        assert_int_equal(open_in_root(rootfd, O("secret"), O_RDONLY, 0), -ENOENT);
}

static void test_open_name_max(void **state)
{
        char name[NAME_MAX + 2];
        memset(name, 'n', sizeof name);
        name[NAME_MAX + 1] = '\0';
        char p[2 * NAME_MAX + 16];

        /* NAME_MAX + 1: too long, as last or intermediate component. */
        assert_int_equal(open_in_root(rootfd, name, O_PATH, 0), -ENAMETOOLONG);
        snprintf(p, sizeof p, "a/%s/x", name);
        assert_int_equal(open_in_root(rootfd, p, O_PATH, 0), -ENAMETOOLONG);
        snprintf(p, sizeof p, "a/%s", name);
        assert_int_equal(open_in_root(rootfd, p, O_WRONLY | O_CREAT, 0644), -ENAMETOOLONG);

        /* Exactly NAME_MAX: fine (absent, then creatable). */
        name[NAME_MAX] = '\0';
        snprintf(p, sizeof p, "a/%s", name);
        assert_int_equal(open_in_root(rootfd, p, O_PATH, 0), -ENOENT);
        _cleanup_close_ int fd = open_in_root(rootfd, p, O_WRONLY | O_CREAT, 0644);
        assert_true(fd >= 0);
        assert_true(exists(R("a/%s", name)));
}

static void test_open_creat(void **state)
{
        /* Through an absolute symlink: created in the root's /etc. */
        _cleanup_close_ int f1 =
                open_in_root(rootfd, "etc_link/cuttle-test-newfile", O_WRONLY | O_CREAT, 0600);
        assert_true(f1 >= 0);
        struct stat st;
        assert_int_equal(stat(R("etc/cuttle-test-newfile"), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        /* A dangling absolute symlink: its target is created inside the root. */
        _cleanup_close_ int f2 = open_in_root(rootfd, "dangling", O_WRONLY | O_CREAT, 0644);
        assert_true(f2 >= 0);
        char got[PATH_MAX];
        fd_in_root(f2, got);
        assert_string_equal(got, "/cuttle-test-created");
        assert_true(exists(R("cuttle-test-created")));

        /* A dangling relative symlink climbing out: clamped at the root. */
        _cleanup_close_ int f3 = open_in_root(rootfd, "dangling_rel", O_WRONLY | O_CREAT, 0644);
        assert_true(f3 >= 0);
        fd_in_root(f3, got);
        assert_string_equal(got, "/created_rel");

        /* A symlink to a host directory: nothing is created there. */
        assert_int_equal(open_in_root(rootfd, "esc/newfile", O_WRONLY | O_CREAT, 0644), -ENOENT);
        assert_int_equal(open_in_root(rootfd, "esc_rel/newfile", O_WRONLY | O_CREAT, 0644),
                         -ENOENT);
        assert_true(outside_untouched());

        /* O_NOFOLLOW | O_CREAT on a dangling symlink: refused, nothing created. */
        assert_int_equal(unlink(R("cuttle-test-created")), 0);
        assert_int_equal(open_in_root(rootfd, "dangling", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644),
                         -ELOOP);
        assert_false(exists(R("cuttle-test-created")));

        /* O_EXCL never follows the final symlink. */
        assert_int_equal(open_in_root(rootfd, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0644),
                         -EEXIST);
        assert_false(exists(R("cuttle-test-created")));

        /* A trailing slash with O_CREAT: EISDIR, nothing created. */
        assert_int_equal(open_in_root(rootfd, "a/newdir/", O_WRONLY | O_CREAT, 0644), -EISDIR);
        assert_false(exists(R("a/newdir")));

        /* O_TMPFILE (which contains the O_DIRECTORY bit) takes the mode. */
        _cleanup_close_ int f4 = open_in_root(rootfd, "etc_link", O_TMPFILE | O_RDWR, 0600);
        if (f4 == -EOPNOTSUPP)
                return;
        assert_true(f4 >= 0);
        assert_int_equal(fstat(f4, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_mkdir_p_in_root(void **state)
{
        char got[PATH_MAX];
        struct stat st;

        _cleanup_close_ int fd = mkdir_p_in_root(rootfd, "/x/y/z", 0700);
        assert_true(fd >= 0);
        fd_in_root(fd, got);
        assert_string_equal(got, "/x/y/z");
        assert_int_equal(stat(R("x/y/z"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(fcntl(fd, F_GETFL) & O_PATH, O_PATH);

        /* Existing. */
        _cleanup_close_ int fd2 = mkdir_p_in_root(rootfd, "x/y", 0755);
        assert_true(fd2 >= 0);
        fd_in_root(fd2, got);
        assert_string_equal(got, "/x/y");
        _cleanup_close_ int fd2b = mkdir_p_in_root(rootfd, "/", 0755);
        assert_true(fd2b >= 0);
        fd_in_root(fd2b, got);
        assert_string_equal(got, "/");

        /* Through an absolute symlink: stays in the root. */
        _cleanup_close_ int fd3 = mkdir_p_in_root(rootfd, "etc_link/cuttle-test-sub/dir", 0755);
        assert_true(fd3 >= 0);
        fd_in_root(fd3, got);
        assert_string_equal(got, "/etc/cuttle-test-sub/dir");
        assert_true(exists(R("etc/cuttle-test-sub/dir")));

        /* Through a relative symlink climbing out: clamped. */
        _cleanup_close_ int fd4 = mkdir_p_in_root(rootfd, "up/newdir/n2", 0755);
        assert_true(fd4 >= 0);
        fd_in_root(fd4, got);
        assert_string_equal(got, "/newdir/n2");

        _cleanup_close_ int fd5 = mkdir_p_in_root(rootfd, "../../../dd", 0755);
        assert_true(fd5 >= 0);
        fd_in_root(fd5, got);
        assert_string_equal(got, "/dd");

        _cleanup_close_ int fd6 = mkdir_p_in_root(rootfd, "a/dirlnk/c/new", 0755);
        assert_true(fd6 >= 0);
        fd_in_root(fd6, got);
        assert_string_equal(got, "/a/b/c/new");

        /* Through a symlink to a host directory: the host is never touched. */
        int r = mkdir_p_in_root(rootfd, "esc/sub/new", 0755);
        if (r >= 0) {
                fd_in_root(r, got);
                close(r);
        }
        assert_false(exists(O("sub/new")));
        assert_false(exists(O("new")));
        r = mkdir_p_in_root(rootfd, "esc_rel/evil", 0755);
        if (r >= 0) {
                fd_in_root(r, got);
                close(r);
        }
        assert_true(outside_untouched());

        /* Errors. */
        assert_int_equal(mkdir_p_in_root(rootfd, "a/b/file/sub", 0755), -ENOTDIR);
        assert_int_equal(mkdir_p_in_root(rootfd, "a/b/file", 0755), -ENOTDIR);
        assert_int_equal(mkdir_p_in_root(rootfd, "loop1/x", 0755), -ELOOP);
        assert_false(exists(R("a/b/file/sub")));
}

static void test_ensure_path_in_root(void **state)
{
        char got[PATH_MAX];
        struct stat st;

        /* A file: parents created as directories, the file empty and regular. */
        _cleanup_close_ int fd = ensure_path_in_root(rootfd, "/f/g/h.txt", false, 0640);
        assert_true(fd >= 0);
        fd_in_root(fd, got);
        assert_string_equal(got, "/f/g/h.txt");
        assert_int_equal(lstat(R("f/g/h.txt"), &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(lstat(R("f/g"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* An existing file is kept as it is. */
        _cleanup_close_ int fd2 = ensure_path_in_root(rootfd, "a/b/file", false, 0600);
        assert_true(fd2 >= 0);
        assert_int_equal(lstat(R("a/b/file"), &st), 0);
        assert_int_equal(st.st_size, 6);
        assert_int_equal(st.st_mode & 0777, 0644);

        /* A directory. */
        _cleanup_close_ int fd3 = ensure_path_in_root(rootfd, "d1/d2", true, 0755);
        assert_true(fd3 >= 0);
        fd_in_root(fd3, got);
        assert_string_equal(got, "/d1/d2");
        assert_int_equal(lstat(R("d1/d2"), &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* Through symlinks: inside the root. */
        _cleanup_close_ int fd4 = ensure_path_in_root(rootfd, "etc_link/cuttle-test-hosts", false, 0644);
        assert_true(fd4 >= 0);
        fd_in_root(fd4, got);
        assert_string_equal(got, "/etc/cuttle-test-hosts");
        assert_true(exists(R("etc/cuttle-test-hosts")));
        _cleanup_close_ int fd5 = ensure_path_in_root(rootfd, "up/../top.txt", false, 0644);
        assert_true(fd5 >= 0);
        fd_in_root(fd5, got);
        assert_string_equal(got, "/top.txt");

        /* Towards the host: never created there (either refused, or inside the root). */
        const char *hostile[] = { "esc/newfile", "esc_rel/newfile", "esc/sub/newfile" };
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                int r = ensure_path_in_root(rootfd, hostile[i], false, 0644);
                if (r >= 0) {
                        fd_in_root(r, got);
                        close(r);
                }
        }
        assert_true(outside_untouched());

        /* A dangling symlink as the file itself: whatever happens stays inside. */
        int r = ensure_path_in_root(rootfd, "dangling", false, 0644);
        if (r >= 0) {
                fd_in_root(r, got);
                close(r);
        }
        assert_true(outside_untouched());

        assert_int_equal(ensure_path_in_root(rootfd, "a/b/file/x", false, 0644), -ENOTDIR);
        assert_int_equal(ensure_path_in_root(rootfd, "a/b/file", true, 0755), -ENOTDIR);
}

static void test_resolve_in_root(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "/a/b", "/a/b" },
                { "a/b", "/a/b" },
                { "a/b/", "/a/b" },
                { "/", "/" },
                { "..", "/" },
                { "../../a/./b/../b", "/a/b" },
                { "etc_link/passwd", "/etc/passwd" },
                { "chain1", "/a/b" },
                { "a/b/up", "/etc" },
                { "a/b/lnk_file", "/a/b/file" },
                { "up/up", "/" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *got = NULL;
                int r = resolve_in_root(rootfd, cases[i].in, &got);
                if (r < 0)
                        fail_msg("resolve_in_root(\"%s\") = %d", cases[i].in, r);
                if (strcmp(got, cases[i].out) != 0)
                        fail_msg("resolve_in_root(\"%s\") = %s, want %s", cases[i].in, got,
                                 cases[i].out);
        }

        char *got = (char *) 0x1;
        assert_int_equal(resolve_in_root(rootfd, "missing", &got), -ENOENT);
        assert_int_equal(resolve_in_root(rootfd, "loop1", &got), -ELOOP);
        assert_int_equal(resolve_in_root(rootfd, "esc/secret", &got), -ENOENT);
        assert_ptr_equal(got, (char *) 0x1);

        /* The host root as root: paths come back whole. */
        _cleanup_close_ int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(slash >= 0);
        _cleanup_free_ char *whole = NULL;
        assert_int_equal(resolve_in_root(slash, rootdir, &whole), 0);
        assert_string_equal(whole, rootdir);
}

static void test_fd_path(void **state)
{
        char buf[32];
        assert_string_equal(fd_path(5, buf), "/proc/self/fd/5");
        assert_string_equal(fd_path(2147483647, buf), "/proc/self/fd/2147483647");
}

/* Both implementations agree on every combination of a few nasty components. */
static void test_implementations_agree(void **state)
{
        static const char *const comps[] = {
                "a",      "b",      "..",       "etc_link", "up",  "chain1",   "file", "loop1",
                "missing", "dirlnk", "lnk_file", "esc",      "dangling",
                "", /* doubled and trailing slashes */
        };
        static const int flag_sets[] = {
                O_RDONLY, O_PATH | O_NOFOLLOW, O_RDONLY | O_DIRECTORY,
        };
        size_t n = ELEMENTSOF(comps), checked = 0;

        if (!have_openat2())
                return;
        for (size_t len = 1; len <= 3; len++) {
                size_t total = 1;
                for (size_t k = 0; k < len; k++)
                        total *= n;
                for (size_t idx = 0; idx < total; idx++) {
                        char p[PATH_MAX] = "";
                        size_t x = idx;
                        for (size_t k = 0; k < len; k++) {
                                if (k)
                                        strcat(p, "/");
                                strcat(p, comps[x % n]);
                                x /= n;
                        }
                        for (size_t f = 0; f < ELEMENTSOF(flag_sets); f++) {
                                char g1[PATH_MAX] = "", g2[PATH_MAX] = "";
                                path_force_fallback(false);
                                int r1 = open_in_root(rootfd, p, flag_sets[f], 0);
                                path_force_fallback(true);
                                int r2 = open_in_root(rootfd, p, flag_sets[f], 0);
                                if (r1 >= 0)
                                        fd_in_root(r1, g1);
                                if (r2 >= 0)
                                        fd_in_root(r2, g2);
                                if ((r1 < 0 || r2 < 0) ? r1 != r2 : strcmp(g1, g2) != 0)
                                        fail_msg("\"%s\" %#x: openat2 %d %s, fallback %d %s", p,
                                                 flag_sets[f], r1 < 0 ? r1 : 0, g1,
                                                 r2 < 0 ? r2 : 0, g2);
                                safe_close(r1);
                                safe_close(r2);
                                checked++;
                        }
                }
        }
        path_force_fallback(*(enum mode *) *state == MODE_FALLBACK);
        assert_int_equal(checked, (n + n * n + n * n * n) * ELEMENTSOF(flag_sets));
}

/* Each test twice, under its own name: f_openat2 and f_fallback. */
#define DEF_BOTH(f)                                                                                \
        static void f##_openat2(void **state)                                                     \
        {                                                                                          \
                f(state);                                                                          \
        }                                                                                          \
        static void f##_fallback(void **state)                                                    \
        {                                                                                          \
                f(state);                                                                          \
        }
DEF_BOTH(test_open_table)
DEF_BOTH(test_open_abs_symlink_not_host)
DEF_BOTH(test_open_name_max)
DEF_BOTH(test_open_creat)
DEF_BOTH(test_mkdir_p_in_root)
DEF_BOTH(test_ensure_path_in_root)
DEF_BOTH(test_resolve_in_root)

#define BOTH(f)                                                                                    \
        cmocka_unit_test_prestate_setup_teardown(f##_openat2, setup, teardown, &mode_openat2),    \
                cmocka_unit_test_prestate_setup_teardown(f##_fallback, setup, teardown,           \
                                                         &mode_fallback)

int main(void)
{
        umask(022);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_openat2_available),
                BOTH(test_open_table),
                BOTH(test_open_abs_symlink_not_host),
                BOTH(test_open_name_max),
                BOTH(test_open_creat),
                BOTH(test_mkdir_p_in_root),
                BOTH(test_ensure_path_in_root),
                BOTH(test_resolve_in_root),
                cmocka_unit_test(test_fd_path),
                cmocka_unit_test_prestate_setup_teardown(test_implementations_agree, setup,
                                                         teardown, &mode_openat2),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
